"""The import service: preserve originals in the vault and store their messages, atomically.

One call is one transaction. Originals are hashed and encrypted into the vault's staging area,
rows and custody entries are written in the transaction, and the staged blobs are promoted
only after the commit. Any failure, or a crash at any point, leaves the workspace as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amparo.domain import MessageKind, ParsedMessage, RecordError
from amparo.ingest import ImportOptions, ImportRejected, read_path
from amparo.ingest.sources import DirSource, Source, SourceLimits
from amparo.store import custody
from amparo.store.message_writer import MessageWriter
from amparo.store.tables import Defender, EvidenceItem, ImportRun, Message
from amparo.store.vault import StagedBlob
from amparo.store.workspace import Workspace

MAX_ERRORS_KEPT = 1000


@dataclass
class FileReport:
    path: str
    format: str
    messages: int = 0  # messages people wrote (not system events)
    system: int = 0
    accounts: int = 0
    new_messages: int = 0  # stored by this import (0 in a dry run or for a duplicate file)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    already_imported: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)
    error_count: int = 0


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    import_run_id: int | None = None

    def summary(self) -> dict[str, Any]:
        formats = sorted({f.format for f in self.files})
        accounts = sum(f.accounts for f in self.files)
        return {
            "format": formats[0] if len(formats) == 1 else ",".join(formats),
            "messages": sum(f.messages for f in self.files),
            "system": sum(f.system for f in self.files),
            "accounts": accounts,
            "new_messages": sum(f.new_messages for f in self.files),
            "errors": [e for f in self.files for e in f.errors],
            "dry_run": self.dry_run,
            "import_run": self.import_run_id,
            "files": [asdict(f) for f in self.files],
        }


def resolve_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRejected("--timezone", f"unknown time zone {name!r} (use e.g. America/Bogota)")\
            from None


class _Tally:
    """Counts for a report while streaming: accounts seen and a capped list of errors."""

    def __init__(self, report: FileReport, source: Source) -> None:
        self.report = report
        self.source = source
        self.accounts: set[tuple[str, str]] = set()

    def see(self, item: ParsedMessage | RecordError) -> ParsedMessage | None:
        if isinstance(item, RecordError):
            self.report.error_count += 1
            if len(self.report.errors) < MAX_ERRORS_KEPT:
                file = self.source.label(item.member) if item.member else self.source.name
                self.report.errors.append(
                    {"file": file, "where": item.where, "message": item.message}
                )
            return None
        if item.kind is MessageKind.USER:
            self.report.messages += 1
        else:
            self.report.system += 1
        if item.author is not None:
            self.accounts.add((item.author.platform.value, item.author.key))
        for r in item.recipients:
            self.accounts.add((r.platform.value, r.key))
        return item

    def finish(self) -> None:
        self.report.accounts = len(self.accounts)


def dry_run(
    paths: Sequence[Path], fmt: str, options: ImportOptions, limits: SourceLimits
) -> ImportReport:
    """Parse without storing anything: what an import would read."""
    files = []
    for path in paths:
        with read_path(path, fmt, options, limits) as (cls, source, stream):
            report = FileReport(path=str(path), format=cls.name)
            tally = _Tally(report, source)
            for item in stream:
                tally.see(item)
            tally.finish()
            files.append(report)
    return ImportReport(files=files, dry_run=True)


def _stage_originals(ws: Workspace, path: Path, source: Source) -> dict[str | None, StagedBlob]:
    """Hash and encrypt the originals: one per file in a folder, else the file itself
    (a zip is kept whole, byte for byte). Keys are folder members, or None."""
    if isinstance(source, DirSource):
        staged: dict[str | None, StagedBlob] = {}
        for member in source.members():
            with source.open(member) as fh:
                staged[member] = ws.vault.stage(fh)
        return staged
    with path.open("rb") as fh:
        return {None: ws.vault.stage(fh)}


def import_paths(
    ws: Workspace,
    defender_id: int,
    paths: Sequence[Path],
    *,
    fmt: str = "auto",
    options: ImportOptions | None = None,
    timezone: str | None = None,
    reason: str = "",
    strict: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every path for one defender, in one transaction. Raises ImportRejected (and
    stores nothing) when any path cannot be imported, or, with `strict`, has a bad record."""
    options = options or ImportOptions()
    actor = ws.settings.actor
    staged_all: list[StagedBlob] = []
    files: list[FileReport] = []
    with ws.write_lock():
        try:
            with ws.session() as s:
                defender = s.get(Defender, defender_id)
                if defender is None:
                    raise ImportRejected("--defender", f"no defender with id {defender_id}")
                zone = resolve_zone(timezone or defender.timezone)
                started = datetime.now(UTC)
                run = ImportRun(defender_id=defender_id, actor=actor, started_at=started,
                                finished_at=started, report="{}")
                s.add(run)
                s.flush()
                writer = MessageWriter(s, defender_id, zone, on_progress)
                for path in paths:
                    before = _count(s, defender_id)
                    report = _import_one(ws, s, writer, run, path, fmt, options, staged_all,
                                         reason)
                    writer.flush()
                    report.new_messages = _count(s, defender_id) - before
                    if strict and report.error_count:
                        first = report.errors[0]
                        raise ImportRejected(first["file"], first["message"],
                                             where=first["where"])
                    files.append(report)
                result = ImportReport(files=files, dry_run=False, import_run_id=run.id)
                run.finished_at = datetime.now(UTC)
                run.report = json.dumps(result.summary(), ensure_ascii=False, default=str)
        except BaseException:
            ws.vault.discard(staged_all)
            raise
        for blob in staged_all:
            ws.vault.promote(blob)
        ws.after_commit()
    return result


def _count(s: Session, defender_id: int) -> int:
    return int(s.scalar(
        select(func.count()).select_from(Message).where(Message.defender_id == defender_id)
    ) or 0)


def _import_one(
    ws: Workspace,
    s: Session,
    writer: MessageWriter,
    run: ImportRun,
    path: Path,
    fmt: str,
    options: ImportOptions,
    staged_all: list[StagedBlob],
    reason: str,
) -> FileReport:
    with read_path(path, fmt, options, ws.settings.limits) as (cls, source, stream):
        report = FileReport(path=str(path), format=cls.name)
        # Read the first record before writing anything to the vault: a file that cannot be
        # loaded at all (too large, truncated JSON) is refused without a costly copy.
        stream = iter(stream)
        first_record = next(stream, None)
        staged = _stage_originals(ws, path, source)
        staged_all.extend(staged.values())
        item_ids: dict[str | None, int] = {}
        new_items: list[EvidenceItem] = []
        for member, blob in staged.items():
            existing = s.execute(
                select(EvidenceItem).where(EvidenceItem.defender_id == run.defender_id,
                                           EvidenceItem.sha256 == blob.sha256)
            ).scalar_one_or_none()
            if existing is None:
                name = path.name if member is None else f"{path.name}/{member}"
                existing = EvidenceItem(
                    defender_id=run.defender_id, import_run_id=run.id, sha256=blob.sha256,
                    size=blob.size, original_name=name, format=cls.name,
                    acquired_at=datetime.now(UTC), acquired_by=ws.settings.actor,
                )
                s.add(existing)
                s.flush()
                new_items.append(existing)
            item_ids[member] = existing.id
            report.evidence.append({"id": existing.id, "sha256": blob.sha256, "size": blob.size,
                                    "new": existing in new_items})
        if not new_items:
            report.already_imported = True
            return report
        tally = _Tally(report, source)
        single = item_ids.get(None)
        first = next(iter(item_ids.values()))
        for item in chain((first_record,) if first_record else (), stream):
            msg = tally.see(item)
            if msg is None:
                continue
            item_id = single if single is not None else item_ids.get(msg.locator.member, first)
            writer.add(msg, item_id)
        tally.finish()
        for ev in new_items:
            custody.append(
                s, actor=ws.settings.actor, action="evidence.acquire", object_type="evidence",
                object_id=str(ev.id), reason=reason,
                details={
                    "sha256": ev.sha256, "size": ev.size, "name": ev.original_name,
                    "format": cls.name, "defender": run.defender_id, "import_run": run.id,
                    "records": writer.per_item.get(ev.id, 0),
                    "record_errors": report.error_count,
                },
            )
        return report
