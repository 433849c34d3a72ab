from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amparo.ingest import ImportOptions, ImportRejected, SourceLimits
from amparo.store.importing import dry_run, import_paths
from amparo.store.messages import MessageFilter, list_messages, original_context
from amparo.store.tables import AuditEvent, EvidenceItem, ImportRun, Message
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace
from tests.ingest.helpers import FIXTURES, MIXED_FORMATS, mixed_folder
from tests.workspace_state import snapshot

CSV = (
    "id,author,text,created_at\n"
    "1,@troll1,\"sabemos onde você mora\",2024-03-01T10:00:00Z\n"
    "2,@troll2,second,2024-03-01 08:00:00\n"
)


def test_import_stores_messages_and_custody(ws: Workspace, defender_id: int,
                                            tmp_path: Path) -> None:
    p = tmp_path / "posts.csv"
    p.write_text(CSV, encoding="utf-8")
    report = import_paths(ws, defender_id, [p], reason="intake #12")
    summary = report.summary()
    assert summary["messages"] == 2 and summary["new_messages"] == 2
    with ws.session() as s:
        rows = list_messages(s, MessageFilter(defender_id=defender_id))
        acquire = s.execute(select(AuditEvent).where(
            AuditEvent.action == "evidence.acquire")).scalar_one()
    assert [r["text"] for r in rows] == ["sabemos onde você mora", "second"]
    # Aware source time kept as is; naive local time resolved in the defender's zone (UTC-3).
    assert rows[0]["timestamp_utc"] == "2024-03-01T10:00:00+00:00"
    assert rows[0]["time_zone_assumed"] is False
    assert rows[1]["timestamp_utc"] == "2024-03-01T11:00:00+00:00"
    assert rows[1]["utc_offset_minutes"] == -180 and rows[1]["time_zone_assumed"] is True
    assert rows[0]["locator"] == {"member": "posts.csv", "line_start": 2, "line_end": 2}
    details = json.loads(acquire.details)
    assert acquire.reason == "intake #12"
    assert details["records"] == 2
    assert ws.vault.read(details["sha256"]) == p.read_bytes()
    assert original_context(ws, rows[0]["id"]).startswith("1,@troll1")
    assert verify_workspace(ws).ok


def test_import_twice_adds_nothing(ws: Workspace, defender_id: int, tmp_path: Path) -> None:
    p = tmp_path / "posts.csv"
    p.write_text(CSV, encoding="utf-8")
    import_paths(ws, defender_id, [p])
    before = snapshot(ws)
    report = import_paths(ws, defender_id, [p])
    assert report.files[0].already_imported
    after = snapshot(ws)
    # Only the run itself is recorded: no message, evidence item, custody entry or blob.
    assert after.rows("import_runs") == before.rows("import_runs") + 1
    assert {k: v for k, v in after.tables.items() if k != "import_runs"} == {
        k: v for k, v in before.tables.items() if k != "import_runs"}
    assert (after.files, after.custody_head) == (before.files, before.custody_head)


def test_overlapping_export_adds_only_new_messages(ws: Workspace, defender_id: int,
                                                   tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text(CSV, encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(CSV + "3,@troll3,third,2024-03-02T10:00:00Z\n", encoding="utf-8")
    import_paths(ws, defender_id, [a])
    report = import_paths(ws, defender_id, [b])
    assert report.files[0].new_messages == 1


def test_failed_import_leaves_workspace_as_it_was(ws: Workspace, defender_id: int,
                                                  tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    import_paths(ws, defender_id, [good])
    before = snapshot(ws)
    other = tmp_path / "other.csv"
    other.write_text("text\nnew message\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"text\nfine\nlatin \xe9\n")
    with pytest.raises(ImportRejected, match=r"bad.csv, line 3"):
        import_paths(ws, defender_id, [other, bad])
    assert snapshot(ws) == before
    assert verify_workspace(ws).ok


def test_strict_rejects_bad_records(ws: Workspace, defender_id: int, tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("text,timestamp\nok,2024-01-01\nbad,someday\n", encoding="utf-8")
    before = snapshot(ws)
    with pytest.raises(ImportRejected, match="line 3"):
        import_paths(ws, defender_id, [p], strict=True)
    assert snapshot(ws) == before
    report = import_paths(ws, defender_id, [p])
    assert report.files[0].error_count == 1 and report.files[0].messages == 1


def test_unknown_time_zone_is_rejected(ws: Workspace, defender_id: int, tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text(CSV, encoding="utf-8")
    with pytest.raises(ImportRejected, match="unknown time zone"):
        import_paths(ws, defender_id, [p], timezone="Mars/Olympus")


def test_naive_times_without_zone_are_flagged(ws: Workspace, tmp_path: Path) -> None:
    from amparo.store.defenders import add_defender

    with ws.session() as s:
        d = add_defender(s, "no zone", actor="t")
        did = d.id
    p = tmp_path / "x.csv"
    p.write_text("text,timestamp\nhi,2024-05-01 12:00\n", encoding="utf-8")
    import_paths(ws, did, [p], options=ImportOptions())
    with ws.session() as s:
        m = s.execute(select(Message)).scalar_one()
    assert m.ts_utc == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert m.utc_offset_min is None and m.tz_assumed


@pytest.mark.parametrize(
    ("content", "fmt", "expected"),
    [
        ("text\nfirst\n\"multi\nline\"\nlast\n", "csv", "\"multi\nline\""),
        ('{"text": "a"}\n{"text": "b"}\n', "jsonl", '{"text": "b"}'),
        # Lone CRs (old Mac tools) end lines for the importer and the excerpt alike.
        ("text\rfirst\r\"multi\rline\"\rlast\r", "csv", "\"multi\nline\""),
        ('{"text": "a"}\r\n{"text": "b"}\r\n', "jsonl", '{"text": "b"}'),
    ],
    ids=["csv", "jsonl", "csv-lone-cr", "jsonl-crlf"],
)
def test_original_context_in_zip_and_file(ws: Workspace, defender_id: int, tmp_path: Path,
                                          content: str, fmt: str, expected: str) -> None:
    import zipfile

    plain = tmp_path / f"plain.{fmt}"
    plain.write_bytes(content.encode())
    zipped = tmp_path / f"zipped-{fmt}.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr(f"inner/data.{fmt}", content)
    from amparo.store.defenders import add_defender

    with ws.session() as s:
        other = add_defender(s, "B", actor="t").id
    # Identical content is one message per defender, so the zip goes to another defender.
    import_paths(ws, defender_id, [plain], fmt="generic")
    import_paths(ws, other, [zipped], fmt="generic")
    with ws.session() as s:
        ids = list(s.execute(select(Message.id).where(Message.text.in_(["multi\nline", "b"]))
                             .order_by(Message.id)).scalars())
    assert len(ids) == 2
    for mid in ids:
        assert original_context(ws, mid) == expected
    with ws.session() as s:
        views = s.scalar(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "evidence.view"))
    assert views == 2
    assert not list((ws.home / "tmp").iterdir())


def test_huge_json_is_refused_before_touching_the_vault(ws: Workspace, defender_id: int,
                                                        tmp_path: Path) -> None:
    """A 3 GB (sparse) Telegram export is refused by size, naming the file, without being
    copied into the vault first."""
    p = tmp_path / "result.json"
    head = ('{\n "name": "Ameaças", "type": "personal_chat", "id": 42, "messages": [\n'
            '  {"id": 1, "type": "message", "date": "2024-03-01T10:00:00", '
            '"date_unixtime": "1709287200", "from": "X", "from_id": "user1", "text": "oi"},\n')
    with p.open("wb") as fh:
        fh.write(head.encode())
        fh.truncate(3 * 1024**3)
    before = snapshot(ws)
    with pytest.raises(ImportRejected, match=r"result.json: \d+ bytes is more than"):
        import_paths(ws, defender_id, [p])
    assert snapshot(ws) == before


def test_huge_text_without_line_breaks_is_refused(ws: Workspace, defender_id: int,
                                                  tmp_path: Path) -> None:
    p = tmp_path / "WhatsApp Chat with X.txt"
    with p.open("wb") as fh:
        fh.write(b"01/02/2024, 10:00 - Ana: oi\n01/02/2024, 10:01 - Ana: ")
        fh.truncate(2 * 1024**3)
    before = snapshot(ws)
    with pytest.raises(ImportRejected, match=r"line 2: a line longer than"):
        import_paths(ws, defender_id, [p])
    assert snapshot(ws) == before


def _items(ws: Workspace) -> dict[str, tuple[str, int]]:
    """Evidence name -> (format, messages read from it)."""
    with ws.session() as s:
        rows = s.execute(
            select(EvidenceItem.original_name, EvidenceItem.format, func.count(Message.id))
            .outerjoin(Message, Message.evidence_item_id == EvidenceItem.id)
            .group_by(EvidenceItem.id)
        ).all()
    return {name: (fmt, n) for name, fmt, n in rows}


def test_a_folder_of_mixed_exports_stores_each_in_its_own_format(
    ws: Workspace, defender_id: int, tmp_path: Path
) -> None:
    """Regression: the whole folder used to be read as email (one message), all four files
    stored as email evidence, and the Telegram chat never read."""
    folder = mixed_folder(tmp_path)
    report = import_paths(ws, defender_id, [folder], reason="intake #7")
    assert {Path(f.path).name: f.format for f in report.files} == MIXED_FORMATS
    items = _items(ws)
    assert {name: fmt for name, (fmt, _) in items.items()} == {
        f"from Ana/{n}": fmt for n, fmt in MIXED_FORMATS.items()}
    assert all(n > 0 for _, n in items.values()), items
    with ws.session() as s:
        acquired = [json.loads(e.details) for e in s.execute(
            select(AuditEvent).where(AuditEvent.action == "evidence.acquire")).scalars()]
    assert {d["name"]: d["reading"]["format"] for d in acquired} == {
        f"from Ana/{n}": fmt for n, fmt in MIXED_FORMATS.items()}
    # Importing it again adds nothing, file by file.
    again = import_paths(ws, defender_id, [folder])
    assert all(f.already_imported for f in again.files) and len(again.files) == 4
    assert verify_workspace(ws).ok


def test_a_folder_with_a_file_nobody_reads_is_refused_whole(
    ws: Workspace, defender_id: int, tmp_path: Path
) -> None:
    folder = mixed_folder(tmp_path)
    (folder / "screenshot.png").write_bytes(
        (FIXTURES / "mastodon/archive/avatar.png").read_bytes())
    before = snapshot(ws)
    with pytest.raises(ImportRejected, match=r"no importer reads from Ana/screenshot.png"):
        import_paths(ws, defender_id, [folder])
    assert snapshot(ws) == before


def test_nothing_in_an_export_folder_is_left_unread(ws: Workspace, defender_id: int) -> None:
    """Regression: the WhatsApp zip beside two chats, and the Mastodon API dumps beside an
    archive, were preserved but never read."""
    import_paths(ws, defender_id, [FIXTURES / "whatsapp", FIXTURES / "mastodon"])
    items = _items(ws)
    assert items["whatsapp/WhatsApp Chat - Defenders Network.zip"][1] > 0
    assert items["mastodon/statuses.json"] == ("mastodon", 3)
    assert items["mastodon/notifications.json"][1] > 0


AMBIGUOUS_CHAT = "04/03/2024, 09:00 - Ana: quando?\n05/03/2024, 09:01 - Bia: hoje\n"


def test_the_report_says_what_the_reading_assumed(ws: Workspace, defender_id: int,
                                                  tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Bia.txt"
    chat.write_text(AMBIGUOUS_CHAT, encoding="utf-8")
    [f] = import_paths(ws, defender_id, [chat]).files
    notes = {a["topic"]: a for a in f.assumptions}
    assert notes["format"]["value"] == "whatsapp" and notes["format"]["basis"] == "detected"
    assert (notes["date_order"]["value"], notes["date_order"]["basis"]) == (
        "day/month/year", "assumed")
    assert notes["time_zone"]["value"] == "America/Sao_Paulo"
    assert "2 local times" in notes["time_zone"]["detail"]
    assert "defender's zone" in notes["time_zone"]["detail"]
    with ws.session() as s:
        run = json.loads(s.execute(select(ImportRun.report)).scalar_one())
    assert run["files"][0]["assumptions"] == f.assumptions


def test_dry_run_reports_each_export_and_its_assumptions(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    report = dry_run([folder], "auto", ImportOptions(day_first=False), SourceLimits(),
                     timezone="America/Bogota")
    formats = {Path(f.path).name: f.format for f in report.files}
    assert formats == MIXED_FORMATS
    chat = next(f for f in report.files if f.format == "whatsapp")
    notes = {a["topic"]: a for a in chat.assumptions}
    # The fixture's own dates settle the order: the option does not override them.
    assert notes["date_order"]["basis"] == "inferred"
    assert notes["time_zone"]["basis"] == "given"


def test_links_inside_an_export_folder_are_listed_not_followed(
    ws: Workspace, defender_id: int, tmp_path: Path
) -> None:
    import shutil

    export = tmp_path / "ChatExport"
    shutil.copytree(FIXTURES / "telegram/ChatExport_2024-03-15", export)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the defender's\n", encoding="utf-8")
    (export / "photos" / "extra.jpg").symlink_to(outside)
    report = import_paths(ws, defender_id, [export])
    assert report.left_out == [{"path": "ChatExport/photos/extra.jpg",
                                "why": "a link or special file, not read"}]
    assert "ChatExport/photos/extra.jpg" not in _items(ws)
