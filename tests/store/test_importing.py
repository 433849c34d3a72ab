from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amparo.ingest import ImportOptions, ImportRejected
from amparo.store.importing import import_paths
from amparo.store.messages import MessageFilter, list_messages, original_context
from amparo.store.tables import AuditEvent, EvidenceItem, Message
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace

CSV = (
    "id,author,text,created_at\n"
    "1,@troll1,\"sabemos onde você mora\",2024-03-01T10:00:00Z\n"
    "2,@troll2,second,2024-03-01 08:00:00\n"
)


def snapshot(ws: Workspace) -> tuple[int, int, int, list[str], list[str]]:
    with ws.session() as s:
        counts = (
            s.scalar(select(func.count()).select_from(Message)) or 0,
            s.scalar(select(func.count()).select_from(EvidenceItem)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )
    files = sorted(str(p.relative_to(ws.vault.root)) for p in ws.vault.root.rglob("*")
                   if p.is_file())
    return (*counts, files, [ws.head_file.read_text()])


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
    assert after[:2] == before[:2] and after[3] == before[3]


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
