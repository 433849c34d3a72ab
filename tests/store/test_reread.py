"""Re-reading a preserved original with other options: messages replaced in one transaction,
findings and campaign links on them deleted and counted, the original untouched, the custody log
told, and any failure leaving the workspace exactly as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amparo.ingest import ImportOptions, ImportRejected
from amparo.store.analysis import analyze_defender
from amparo.store.crypto import IntegrityError
from amparo.store.importing import import_paths
from amparo.store.reread import reread_evidence
from amparo.store.tables import (
    AuditEvent,
    CampaignMessage,
    CampaignRow,
    EvidenceItem,
    FindingRow,
    Message,
)
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace
from tests.ingest.helpers import FIXTURES, MIXED_FORMATS, mixed_folder
from tests.workspace_state import snapshot

# Every date reads both ways: imported day first (4 March), the defender's phone wrote month
# first (3 April).
CHAT = ("04/03/2024, 09:00 - Ana: entra aqui pra verificar tua conta: "
        "http://whatsapp-seguranca.net/login\n"
        "05/03/2024, 09:01 - Bia: não entra, é golpe\n")


def _chat(tmp_path: Path) -> Path:
    p = tmp_path / "WhatsApp Chat with Bia.txt"
    p.write_text(CHAT, encoding="utf-8")
    return p


def _times(ws: Workspace) -> list[datetime | None]:
    with ws.session() as s:
        return list(s.execute(select(Message.ts_utc).order_by(Message.ts_utc)).scalars())


def _link_to_campaign(ws: Workspace, defender_id: int) -> None:
    """A stored campaign that names one of the messages (as `campaigns detect` stores it)."""
    now = datetime.now(UTC)
    with ws.session() as s:
        row = CampaignRow(key="k1", defender_id=defender_id, detected_at=now, actor="t",
                          score=0.9, start=now, end=now, accounts="[]", objects="[]",
                          signals="{}", explanation="test", manifest="{}")
        s.add(row)
        s.flush()
        first = s.execute(select(Message.id).order_by(Message.id)).scalars().first()
        assert first is not None
        s.add(CampaignMessage(campaign_id=row.id, message_id=first))


def test_month_first_reread_replaces_the_dates(ws: Workspace, defender_id: int,
                                               tmp_path: Path) -> None:
    chat = _chat(tmp_path)
    import_paths(ws, defender_id, [chat])
    assert _times(ws)[0] == datetime(2024, 3, 4, 12, tzinfo=UTC)  # 09:00 in São Paulo
    # Regression: importing again with the right option only says "already imported".
    again = import_paths(ws, defender_id, [chat], options=ImportOptions(day_first=False))
    assert again.files[0].already_imported
    assert _times(ws)[0] == datetime(2024, 3, 4, 12, tzinfo=UTC)

    assert analyze_defender(ws, defender_id, names=["links"], workers=1).findings >= 1
    _link_to_campaign(ws, defender_id)
    with ws.session() as s:
        item = s.execute(select(EvidenceItem)).scalar_one()
        findings = s.scalar(select(func.count()).select_from(FindingRow)) or 0

    report = reread_evidence(ws, item.id, reason="defender's phone writes month first",
                             options=ImportOptions(day_first=False))

    assert _times(ws) == [datetime(2024, 4, 3, 12, tzinfo=UTC),
                          datetime(2024, 5, 3, 12, 1, tzinfo=UTC)]
    assert report.removed == {"messages": 2, "findings": findings, "campaign_links": 1}
    assert report.messages == 2 and report.items == [item.id]
    notes = {a["topic"]: a for a in report.files[0].assumptions}
    assert (notes["date_order"]["value"], notes["date_order"]["basis"]) == (
        "month/day/year", "given")
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(FindingRow)) == 0
        assert s.scalar(select(func.count()).select_from(CampaignMessage)) == 0
        assert s.scalar(select(func.count()).select_from(CampaignRow)) == 1
        entry = s.execute(select(AuditEvent).where(
            AuditEvent.action == "evidence.reread")).scalar_one()
    details = json.loads(entry.details)
    assert entry.object_id == str(item.id) and entry.reason.startswith("defender's phone")
    assert details["before"]["readings"][0]["day_first"] is None
    assert details["after"]["readings"][0]["day_first"] is False
    assert details["after"]["readings"][0]["timezone"] == "America/Sao_Paulo"
    assert (details["before"]["messages"], details["before"]["findings"],
            details["before"]["campaign_links"]) == (2, findings, 1)
    assert details["after"]["messages"] == 2
    # The original is untouched, and the chain still verifies.
    assert ws.vault.read(item.sha256) == chat.read_bytes()
    assert verify_workspace(ws).ok
    # A second re-read starts from the first one's reading.
    second = reread_evidence(ws, item.id, reason="back to day first",
                             options=ImportOptions(day_first=True))
    assert second.before[0]["day_first"] is False
    assert _times(ws)[0] == datetime(2024, 3, 4, 12, tzinfo=UTC)


def test_a_mixed_folder_stored_as_one_format_is_corrected(ws: Workspace, defender_id: int,
                                                          tmp_path: Path) -> None:
    """What older versions did to a folder of several exports (all stored as email, the
    Telegram chat never read) is undone by re-reading any of its items."""
    folder = mixed_folder(tmp_path)
    import_paths(ws, defender_id, [folder], fmt="email")
    again = import_paths(ws, defender_id, [folder])
    stale = [f for f in again.files if f.format != "email"]
    assert len(stale) == 3 and all(f.already_imported for f in stale)
    assert all(e["stored_format"] == "email" for f in stale for e in f.evidence)
    with ws.session() as s:
        telegram = s.execute(select(EvidenceItem.id).where(
            EvidenceItem.original_name == "from Ana/result.json")).scalar_one()

    report = reread_evidence(ws, telegram, reason="folder held four exports")

    assert {Path(f.path).name: f.format for f in report.files} == MIXED_FORMATS
    with ws.session() as s:
        rows = s.execute(
            select(EvidenceItem.original_name, EvidenceItem.format, func.count(Message.id))
            .join(Message, Message.evidence_item_id == EvidenceItem.id)
            .group_by(EvidenceItem.id)).all()
    assert {name: fmt for name, fmt, _ in rows} == {
        f"from Ana/{n}": fmt for n, fmt in MIXED_FORMATS.items()}
    assert all(n > 0 for _, _, n in rows)
    assert verify_workspace(ws).ok


def test_an_export_folder_is_reread_whole(ws: Workspace, defender_id: int) -> None:
    folder = FIXTURES / "telegram/ChatExport_2024-03-15"
    import_paths(ws, defender_id, [folder])
    with ws.session() as s:
        items = dict(s.execute(select(EvidenceItem.original_name, EvidenceItem.id)).all())
        before = sorted(s.execute(select(Message.evidence_item_id, Message.text,
                                         Message.attachments)).all())
    photo = items["ChatExport_2024-03-15/photos/photo_1@12-03-2024_19-01-00.jpg"]
    report = reread_evidence(ws, photo, reason="check", timezone="Europe/Lisbon")
    assert sorted(report.items) == sorted(items.values())
    with ws.session() as s:
        after = sorted(s.execute(select(Message.evidence_item_id, Message.text,
                                        Message.attachments)).all())
    # Same messages, still linked to result.json, attachments still pointing at the media.
    assert after == before
    assert {row[0] for row in after} == {items["ChatExport_2024-03-15/result.json"]}


def _import_chat(ws: Workspace, defender_id: int, tmp_path: Path) -> int:
    import_paths(ws, defender_id, [_chat(tmp_path)])
    with ws.session() as s:
        return s.execute(select(EvidenceItem.id)).scalar_one()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fmt": "telegram"}, ImportRejected, "no result.json found"),
        ({"options": ImportOptions(encoding="ascii")}, ImportRejected, "not valid ascii"),
        ({"timezone": "Mars/Olympus"}, ImportRejected, "unknown time zone"),
        ({"reason": "  "}, ValueError, "needs a --reason"),
    ],
    ids=["wrong-format", "wrong-encoding", "bad-zone", "no-reason"],
)
def test_a_failed_reread_changes_nothing(
    ws: Workspace, defender_id: int, tmp_path: Path, kwargs: dict[str, object],
    error: type[Exception], match: str,
) -> None:
    item = _import_chat(ws, defender_id, tmp_path)
    analyze_defender(ws, defender_id, names=["links"], workers=1)
    before = snapshot(ws)
    args: dict[str, object] = {"reason": "try", **kwargs}
    with pytest.raises(error, match=match):
        reread_evidence(ws, item, **args)  # type: ignore[arg-type]
    assert snapshot(ws) == before


def test_a_reread_that_reads_nothing_is_refused(ws: Workspace, defender_id: int,
                                                tmp_path: Path) -> None:
    p = tmp_path / "posts.jsonl"
    p.write_text('{"text": "vamos te achar", "body": null}\n', encoding="utf-8")
    import_paths(ws, defender_id, [p])
    with ws.session() as s:
        item = s.execute(select(EvidenceItem.id)).scalar_one()
    before = snapshot(ws)
    with pytest.raises(ImportRejected, match="found no message where 1 were read before"):
        reread_evidence(ws, item, reason="try", fmt="generic",
                        options=ImportOptions(column_map={"text": "body"}))
    assert snapshot(ws) == before


def test_a_damaged_original_is_not_reread(ws: Workspace, defender_id: int,
                                          tmp_path: Path) -> None:
    item = _import_chat(ws, defender_id, tmp_path)
    blob = next(p for p in ws.vault.blobs.rglob("*") if p.is_file())
    raw = bytearray(blob.read_bytes())
    raw[-1] ^= 0x01
    blob.write_bytes(bytes(raw))
    before = snapshot(ws)
    with pytest.raises(IntegrityError):
        reread_evidence(ws, item, reason="try", options=ImportOptions(day_first=False))
    assert snapshot(ws) == before


def test_an_unknown_item_is_refused(ws: Workspace) -> None:
    with pytest.raises(LookupError, match="no evidence item 42"):
        reread_evidence(ws, 42, reason="try")


def test_plaintext_left_by_a_killed_reread_is_removed(ws: Workspace, defender_id: int,
                                                      tmp_path: Path) -> None:
    """A re-read killed mid-way leaves its decrypted copy behind; the next writer removes it."""
    _import_chat(ws, defender_id, tmp_path)
    stale = ws.tmp_dir / "reread.0123456789abcdef" / "WhatsApp Chat with Bia.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text(CHAT, encoding="utf-8")
    assert verify_workspace(ws).ok  # opens the workspace for writing
    assert not stale.parent.exists()


def test_an_original_preserved_but_never_read_is_read_by_a_reread(
    ws: Workspace, defender_id: int
) -> None:
    """What older versions did to a zip inside an export folder (preserved as a member, never
    opened): importing again says it holds no message, and a re-read reads it."""
    folder = FIXTURES / "whatsapp"
    import_paths(ws, defender_id, [folder], fmt="whatsapp")  # the old one-export reading
    again = import_paths(ws, defender_id, [folder])
    [zipped] = [f for f in again.files if f.path.endswith(".zip")]
    assert zipped.already_imported and zipped.evidence[0]["messages"] == 0
    report = reread_evidence(ws, zipped.evidence[0]["id"], reason="zip never read")
    assert {Path(f.path).name for f in report.files} == {"WhatsApp Chat - Defenders Network.zip",
                                                         "whatsapp"}
    with ws.session() as s:
        n = s.scalar(select(func.count()).select_from(Message).where(
            Message.evidence_item_id == zipped.evidence[0]["id"]))
    assert n == 13
