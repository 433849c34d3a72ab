"""Re-reading a preserved original with other options (another date order, time zone or
format), when the first reading was wrong.

The original never changes: it is decrypted from the vault (and checked against its SHA-256)
into a private temporary folder, read again as an import would read it, and the messages read
from it before are replaced in one transaction. Findings and campaign links on the replaced
messages are deleted with them (analysis must run again), and the custody log records the
re-read with the old and new readings and the counts. A failure changes nothing.

An export acquired as several files (a WhatsApp folder with its media, a Slack export) is
re-read whole: re-reading any of its evidence items re-reads all the items acquired with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amparo.errors import InvalidValue, NotFound
from amparo.ingest import ImportOptions, ImportRejected
from amparo.ingest.folders import Unit, plan_path, read_unit, with_skipped_parts
from amparo.ingest.sources import SourceLimits, unsafe_member_reason
from amparo.store import custody
from amparo.store.crypto import IntegrityError
from amparo.store.evidence import delete_messages_of
from amparo.store.importing import (
    FileReport,
    Tally,
    ZoneChoice,
    reading_of,
    resolve_zone,
)
from amparo.store.message_writer import MessageWriter
from amparo.store.tables import AuditEvent, Defender, EvidenceItem, ImportRun, Message
from amparo.store.workspace import REREAD_PREFIX, Workspace


@dataclass(frozen=True)
class Export:
    """The evidence items read together as one export, and where each sits in it: `root` is
    the export's file or folder name, `member` an item's path inside the folder (None when
    the export is a single file or zip)."""

    root: str
    items: list[tuple[EvidenceItem, str | None]]

    @property
    def ids(self) -> list[int]:
        return [item.id for item, _ in self.items]


@dataclass
class RereadReport:
    evidence_id: int
    items: list[int]
    files: list[FileReport]
    removed: dict[str, int]
    messages: int  # messages the items hold now
    before: list[dict[str, Any]] = field(default_factory=list)
    after: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, str]] = field(default_factory=list)  # items no format reads

    def summary(self) -> dict[str, Any]:
        return {"evidence": self.evidence_id, "items": self.items,
                "files": [asdict(f) for f in self.files], "removed": self.removed,
                "messages": self.messages, "before": self.before, "after": self.after,
                "left_out": self.left_out}


def reread_evidence(
    ws: Workspace,
    item_id: int,
    *,
    reason: str,
    fmt: str = "auto",
    options: ImportOptions | None = None,
    timezone: str | None = None,
) -> RereadReport:
    """Read the export that evidence item `item_id` belongs to again, with these options
    (unset options take their defaults, as in a fresh import), replacing its messages."""
    if not reason.strip():
        raise InvalidValue("re-reading evidence needs a --reason for the custody log")
    options = options or ImportOptions()
    limits = ws.settings.limits
    with ws.write_lock():
        with ws.session() as s:
            item = s.get(EvidenceItem, item_id)
            if item is None:
                raise NotFound(f"no evidence item {item_id}")
            defender = s.get(Defender, item.defender_id)
            assert defender is not None
            resolved = resolve_zone(timezone or defender.timezone)
            zone = ZoneChoice.choose(timezone, defender.timezone)
            export = export_of(s, item)
            formats_before = {it.id: it.format for it, _ in export.items}
            before = previous_readings(s, export.ids)
            with materialised(ws, export) as path:
                plan = plan_path(path, fmt, limits, unreadable_ok=True)
                removed = delete_messages_of(s, export.ids)
                writer = MessageWriter(s, item.defender_id, resolved)
                files = []
                after = []
                for unit in plan.units:
                    report = _read_unit(s, writer, export, path, unit, options, zone, limits)
                    files.append(report)
                    after.append({"file": unit.name, **reading_of(unit, options, zone)})
                held = _count(s, export.ids)
            if held == 0 and removed["messages"]:
                raise ImportRejected(
                    item.original_name,
                    f"re-reading found no message where {removed['messages']} were read "
                    "before; nothing was changed (is the format right?)",
                )
            left_out = [{"path": lo.path, "why": lo.why} for lo in plan.left_out]
            result = RereadReport(item_id, export.ids, files, removed, held, before, after,
                                  left_out)
            custody.append(
                s, actor=ws.settings.actor, action="evidence.reread", object_type="evidence",
                object_id=str(item_id), reason=reason,
                details={
                    "items": [{"id": it.id, "name": it.original_name, "sha256": it.sha256,
                               "format_before": formats_before[it.id],
                               "format_after": it.format} for it, _ in export.items],
                    "before": {"readings": before, **removed},
                    "after": {"readings": after, "messages": held,
                              "record_errors": sum(f.error_count for f in files)},
                },
            )
        ws.after_commit()
    return result


def _count(s: Session, ids: list[int]) -> int:
    return int(s.scalar(select(func.count()).select_from(Message)
                        .where(Message.evidence_item_id.in_(ids))) or 0)


def _read_unit(
    s: Session,
    writer: MessageWriter,
    export: Export,
    root: Path,
    unit: Unit,
    options: ImportOptions,
    zone: ZoneChoice,
    limits: SourceLimits,
) -> FileReport:
    """Store the messages of one export found in the materialised original, each with the
    evidence item of the file it came from; the items take the unit's format."""
    by_member = {member: item for item, member in export.items}
    rel = "" if unit.path == root else unit.path.relative_to(root).as_posix()
    before = _count(s, export.ids)
    with read_unit(unit, options, limits) as (importer, source, stream):
        mine: dict[str | None, EvidenceItem]
        if unit.path.is_dir():
            mine = {m: by_member[_join(rel, m)] for m in source.members()}
        else:
            mine = {None: by_member[rel or None]}
        fallback = next(iter(mine.values()))
        report = FileReport(path=unit.name, format=unit.format)
        tally = Tally(report, source)
        for record in with_skipped_parts(unit, importer, stream, options, limits):
            msg = tally.see(record)
            if msg is not None:
                target = fallback if None in mine else mine.get(msg.locator.member, fallback)
                writer.add(msg, target.id)
        tally.finish(unit, importer, zone, dry=False)
    writer.flush()
    for item in mine.values():
        item.format = unit.format
    report.new_messages = _count(s, export.ids) - before
    report.evidence = [{"id": it.id, "sha256": it.sha256, "size": it.size, "member": m}
                       for m, it in mine.items()]
    return report


def _join(rel: str, member: str) -> str:
    return f"{rel}/{member}" if rel else member


def export_of(s: Session, item: EvidenceItem) -> Export:
    """The export an item was acquired with, as its import run's report lists it."""
    run = s.get(ImportRun, item.import_run_id)
    report = json.loads(run.report) if run is not None else {}
    for f in report.get("files", []):
        entries = f.get("evidence", [])
        if item.id not in [e["id"] for e in entries]:
            continue
        root = PurePosixPath(f["path"]).name
        items = []
        for e in entries:
            found = s.get(EvidenceItem, e["id"])
            if found is None:
                continue  # deleted since
            # Reports before the "member" key named items "root/member".
            member = e["member"] if "member" in e else _member_from_name(found, root)
            items.append((found, member))
        return Export(root, items)
    return Export(PurePosixPath(item.original_name).name, [(item, None)])


def _member_from_name(item: EvidenceItem, root: str) -> str | None:
    prefix = f"{root}/"
    return item.original_name[len(prefix):] if item.original_name.startswith(prefix) else None


def previous_readings(s: Session, ids: list[int]) -> list[dict[str, Any]]:
    """How the items were last read: the latest re-read of any of them, else their
    acquisition (older acquisitions recorded the format only)."""
    wanted = {str(i) for i in ids}
    rereads = s.execute(select(AuditEvent).where(AuditEvent.action == "evidence.reread")
                        .order_by(AuditEvent.seq.desc())).scalars()
    for entry in rereads:
        details = json.loads(entry.details)
        if wanted & {str(i["id"]) for i in details.get("items", [])}:
            return list(details["after"]["readings"])
    acquired = s.execute(
        select(AuditEvent).where(AuditEvent.action == "evidence.acquire",
                                 AuditEvent.object_id.in_(wanted))
        .order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
    if acquired is None:
        return []
    details = json.loads(acquired.details)
    reading = details.get("reading") or {"format": details.get("format")}
    return [{"file": details.get("name"), **reading}]


@contextmanager
def materialised(ws: Workspace, export: Export) -> Iterator[Path]:
    """The export's originals, decrypted from the vault and checked against their SHA-256,
    laid out as they were imported in a private temporary folder, removed afterwards."""
    ws.tmp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    base = ws.tmp_dir / f"{REREAD_PREFIX}{secrets.token_hex(8)}"
    base.mkdir(mode=0o700)
    try:
        root = base / export.root
        for item, member in export.items:
            if member is not None and unsafe_member_reason(member):
                raise ImportRejected(item.original_name, "unsafe member name in the record")
            target = root if member is None else root / member
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                for chunk in ws.vault.open(item.sha256):
                    digest.update(chunk)
                    fh.write(chunk)
            if digest.hexdigest() != item.sha256:
                raise IntegrityError(f"evidence item {item.id} no longer hashes to its SHA-256")
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)
