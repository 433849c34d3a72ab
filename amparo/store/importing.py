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
from amparo.ingest import ImportOptions, ImportRejected
from amparo.ingest.base import Importer
from amparo.ingest.folders import (
    LeftOut,
    Plan,
    Unit,
    nested_links,
    plan_path,
    read_unit,
    with_skipped_parts,
)
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
    # What the reading rests on that the export does not say outright: the format, the date
    # order, the time zone of local times ({"topic", "file", "value", "basis", "detail"}).
    assumptions: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    import_run_id: int | None = None
    left_out: list[dict[str, str]] = field(default_factory=list)  # clutter and links

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
            "left_out": self.left_out,
        }


@dataclass(frozen=True)
class ZoneChoice:
    """The zone local times are read in, and where it came from."""

    name: str | None
    basis: str  # "given" (--timezone), "defender" (the defender's zone), "none"

    @classmethod
    def choose(cls, given: str | None, defender_zone: str | None) -> ZoneChoice:
        if given:
            return cls(given, "given")
        return cls(defender_zone, "defender") if defender_zone else cls(None, "none")

    def note(self, file: str, local_times: int, dry_run: bool) -> dict[str, str]:
        n = f"{local_times} local time{'s' if local_times != 1 else ''} without a zone"
        if self.basis == "given":
            detail = f"{n}, read in {self.name} (given with --timezone)"
        elif self.basis == "defender":
            detail = f"{n}, read in {self.name}, the defender's zone"
        elif dry_run:
            detail = f"{n}; an import reads them in the defender's zone, or --timezone"
        else:
            detail = f"{n} and no zone known (the defender has none): stored as if UTC"
        return {"topic": "time_zone", "file": file, "value": self.name or "unknown",
                "basis": "assumed" if self.basis != "given" else "given", "detail": detail}


def reading_of(unit: Unit, options: ImportOptions, zone: ZoneChoice) -> dict[str, Any]:
    """How an export was read, for the custody log (and compared by a later re-read)."""
    return {"format": unit.format, "format_detected": unit.detected,
            "day_first": options.day_first, "timezone": zone.name,
            "encoding": options.encoding, "column_map": dict(options.column_map)}


def resolve_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRejected("--timezone", f"unknown time zone {name!r} (use e.g. America/Bogota)")\
            from None


class Tally:
    """Counts for a report while streaming: accounts seen, local times without a zone, and a
    capped list of errors."""

    def __init__(self, report: FileReport, source: Source) -> None:
        self.report = report
        self.source = source
        self.accounts: set[tuple[str, str]] = set()
        self.local_times = 0

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
        if item.timestamp is not None and item.timestamp.tzinfo is None:
            self.local_times += 1
        if item.author is not None:
            self.accounts.add((item.author.platform.value, item.author.key))
        for r in item.recipients:
            self.accounts.add((r.platform.value, r.key))
        return item

    def finish(self, unit: Unit, importer: Importer, zone: ZoneChoice, dry: bool) -> None:
        """Close the report: counts and assumptions."""
        self.report.accounts = len(self.accounts)
        self.report.assumptions = [format_note(unit)]
        self.report.assumptions.extend(asdict(a) for a in importer.assumptions)
        if self.local_times:
            self.report.assumptions.append(zone.note(unit.name, self.local_times, dry))


def format_note(unit: Unit) -> dict[str, str]:
    if unit.detected:
        detail = f"recognised by its content (confidence {unit.confidence or 0:.2f})"
    else:
        detail = "chosen with --format"
    return {"topic": "format", "file": unit.name, "value": unit.format,
            "basis": "detected" if unit.detected else "given", "detail": detail}


def plan_all(paths: Sequence[Path], fmt: str, limits: SourceLimits) -> list[Plan]:
    """Every export in the paths, each in its own format (see `amparo.ingest.folders`)."""
    return [plan_path(path, fmt, limits) for path in paths]


def _left_out(plans: Sequence[Plan], more: Sequence[LeftOut] = ()) -> list[dict[str, str]]:
    found = [lo for plan in plans for lo in plan.left_out] + list(more)
    return [{"path": lo.path, "why": lo.why} for lo in found]


def dry_run(
    paths: Sequence[Path], fmt: str, options: ImportOptions, limits: SourceLimits,
    timezone: str | None = None,
) -> ImportReport:
    """Parse without storing anything: what an import would read."""
    if timezone:
        resolve_zone(timezone)
    zone = ZoneChoice.choose(timezone, None)
    plans = plan_all(paths, fmt, limits)
    files = []
    links: list[LeftOut] = []
    for unit in (u for plan in plans for u in plan.units):
        with read_unit(unit, options, limits) as (importer, source, stream):
            report = FileReport(path=str(unit.path), format=unit.format)
            tally = Tally(report, source)
            for item in with_skipped_parts(unit, importer, stream, options, limits):
                tally.see(item)
            tally.finish(unit, importer, zone, dry=True)
            files.append(report)
            links.extend(nested_links(unit, source))
    return ImportReport(files=files, dry_run=True, left_out=_left_out(plans, links))


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
    """Import every export in the paths for one defender, in one transaction. Raises
    ImportRejected (and stores nothing) when any path cannot be imported, or, with `strict`,
    has a bad record."""
    options = options or ImportOptions()
    actor = ws.settings.actor
    staged_all: list[StagedBlob] = []
    files: list[FileReport] = []
    plans = plan_all(paths, fmt, ws.settings.limits)
    with ws.write_lock():
        try:
            with ws.session() as s:
                defender = s.get(Defender, defender_id)
                if defender is None:
                    raise ImportRejected("--defender", f"no defender with id {defender_id}")
                resolved = resolve_zone(timezone or defender.timezone)
                zone = ZoneChoice.choose(timezone, defender.timezone)
                started = datetime.now(UTC)
                run = ImportRun(defender_id=defender_id, actor=actor, started_at=started,
                                finished_at=started, report="{}")
                s.add(run)
                s.flush()
                writer = MessageWriter(s, defender_id, resolved, on_progress)
                job = _Job(ws, s, writer, run, options, zone, staged_all, reason)
                for unit in (u for plan in plans for u in plan.units):
                    before = _count(s, defender_id)
                    report = job.import_unit(unit)
                    writer.flush()
                    report.new_messages = _count(s, defender_id) - before
                    if strict and report.error_count:
                        first = report.errors[0]
                        raise ImportRejected(first["file"], first["message"],
                                             where=first["where"])
                    files.append(report)
                result = ImportReport(files=files, dry_run=False, import_run_id=run.id,
                                      left_out=_left_out(plans, job.links))
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


@dataclass
class _Job:
    """What every export of one import shares."""

    ws: Workspace
    s: Session
    writer: MessageWriter
    run: ImportRun
    options: ImportOptions
    zone: ZoneChoice
    staged_all: list[StagedBlob]
    reason: str
    links: list[LeftOut] = field(default_factory=list)

    def import_unit(self, unit: Unit) -> FileReport:
        ws, s, run = self.ws, self.s, self.run
        with read_unit(unit, self.options, ws.settings.limits) as (importer, source, stream):
            report = FileReport(path=str(unit.path), format=unit.format)
            # Read the first record before writing anything to the vault: a file that cannot
            # be loaded at all (too large, truncated JSON) is refused without a costly copy.
            stream = iter(with_skipped_parts(unit, importer, stream, self.options,
                                             ws.settings.limits))
            first_record = next(stream, None)
            staged = _stage_originals(ws, unit.path, source)
            self.staged_all.extend(staged.values())
            self.links.extend(nested_links(unit, source))
            item_ids: dict[str | None, int] = {}
            new_items: list[EvidenceItem] = []
            for member, blob in staged.items():
                existing = s.execute(
                    select(EvidenceItem).where(EvidenceItem.defender_id == run.defender_id,
                                               EvidenceItem.sha256 == blob.sha256)
                ).scalar_one_or_none()
                if existing is None:
                    name = unit.name if member is None else f"{unit.name}/{member}"
                    existing = EvidenceItem(
                        defender_id=run.defender_id, import_run_id=run.id,
                        sha256=blob.sha256, size=blob.size, original_name=name,
                        format=unit.format, acquired_at=datetime.now(UTC),
                        acquired_by=ws.settings.actor,
                    )
                    s.add(existing)
                    s.flush()
                    new_items.append(existing)
                item_ids[member] = existing.id
                report.evidence.append({
                    "id": existing.id, "sha256": blob.sha256, "size": blob.size,
                    "member": member, "new": existing in new_items,
                    "stored_format": existing.format,
                })
            if not new_items:
                # Not read again; the report says what is stored (an item stored in another
                # format, or never read, is read again with `amparo evidence reread`).
                held: dict[int, int] = {
                    item: n for item, n in s.execute(
                        select(Message.evidence_item_id, func.count()).where(
                            Message.evidence_item_id.in_(set(item_ids.values())))
                        .group_by(Message.evidence_item_id))}
                for entry in report.evidence:
                    entry["messages"] = held.get(entry["id"], 0)
                report.already_imported = True
                report.assumptions = [format_note(unit)]
                return report
            tally = Tally(report, source)
            single = item_ids.get(None)
            first = next(iter(item_ids.values()))
            for item in chain((first_record,) if first_record else (), stream):
                msg = tally.see(item)
                if msg is None:
                    continue
                item_id = (single if single is not None
                           else item_ids.get(msg.locator.member, first))
                self.writer.add(msg, item_id)
            tally.finish(unit, importer, self.zone, dry=False)
            reading = reading_of(unit, self.options, self.zone)
            for ev in new_items:
                custody.append(
                    s, actor=ws.settings.actor, action="evidence.acquire",
                    object_type="evidence", object_id=str(ev.id), reason=self.reason,
                    details={
                        "sha256": ev.sha256, "size": ev.size, "name": ev.original_name,
                        "format": unit.format, "defender": run.defender_id,
                        "import_run": run.id, "records": self.writer.per_item.get(ev.id, 0),
                        "record_errors": report.error_count, "reading": reading,
                    },
                )
            return report
