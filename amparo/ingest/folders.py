"""Which exports a path holds, so that each is read in its own format.

A file or a zip is one export. A folder is one export when one format reads the folder as a whole
and nothing directly inside it is another format's export: a WhatsApp chat with its media, a
Telegram, X, Slack, Facebook or Mastodon export folder. Any other folder (a defender's WhatsApp
chat, Telegram result.json and emails side by side) is split: every file and zip in it is read
on its own and every subfolder is planned the same way. Zips inside a one-export folder that are
exports themselves are read on their own too: a folder reader never opens an archive.

Nothing is dropped quietly: a file that no format reads and that belongs to no export is refused
by name, and only system clutter (`.DS_Store`, `Thumbs.db`, AppleDouble `._*` files) and links
(never followed) are left out, and listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from amparo.domain import ParsedMessage, RecordError
from amparo.ingest.base import Assumption, Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.registry import (
    MIN_CONFIDENCE,
    best_importer,
    confidence,
    detect_format,
    get_importer,
)
from amparo.ingest.sources import (
    DirSource,
    Source,
    SourceLimits,
    Subset,
    ZipSource,
    is_zip,
    open_source,
)

CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized", "__macosx"})
MAX_NAMED = 10  # unreadable files named in a refusal


@dataclass(frozen=True)
class Unit:
    """One export: a file, zip or folder (`only` narrows a folder to some of its files),
    the format to read it in, and how that format was chosen."""

    path: Path
    name: str  # the imported path's name, then the unit's path inside it: "Ana/result.json"
    format: str
    detected: bool  # False when the caseworker chose it with --format
    confidence: float | None = None
    only: frozenset[str] | None = None
    # Entries of a one-export folder that each read as this format on their own; one its
    # reader skipped is read on its own (see `with_skipped_parts`).
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeftOut:
    path: str
    why: str


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def plan_path(path: Path, fmt: str, limits: SourceLimits, *, unreadable_ok: bool = False
              ) -> Plan:
    """The exports in `path`. With an explicit format a path is always one export. Raises
    ImportRejected naming the files that no format reads, unless `unreadable_ok` (a re-read of
    originals already preserved), when they are listed in `left_out`."""
    if fmt != "auto" or not path.is_dir():
        if fmt != "auto":
            get_importer(fmt)
            return Plan([Unit(path, path.name, fmt, detected=False)])
        with _opened(path, limits) as source:
            cls = detect_format(source)
            score = confidence(cls, source)
            if isinstance(source, ZipSource):
                _refuse_mixed_archive(source, cls)
        return Plan([Unit(path, path.name, cls.name, True, score)])
    plan = Plan()
    _plan_dir(path, path, limits, plan)
    if plan.unreadable and unreadable_ok:
        plan.left_out.extend(LeftOut(p, "no format reads it") for p in plan.unreadable)
        plan.unreadable = []
    if plan.unreadable:
        names = ", ".join(plan.unreadable[:MAX_NAMED])
        more = len(plan.unreadable) - MAX_NAMED
        raise ImportRejected(
            path.name,
            f"unknown format: no importer reads {names}"
            + (f" and {more} more files" if more > 0 else "")
            + ", and they are not part of any export in the folder; nothing was stored. Move "
            "them out, or put each export in a folder of its own",
        )
    if not plan.units:
        raise ImportRejected(path.name, "the folder holds no file to import")
    return plan


def with_skipped_parts(
    unit: Unit,
    importer: Importer,
    stream: Iterable[ParsedMessage | RecordError],
    options: ImportOptions,
    limits: SourceLimits,
) -> Iterator[ParsedMessage | RecordError]:
    """The unit's records, then those of every part of a one-export folder that its reader
    took nothing from (a loose statuses.json beside a Mastodon archive), each read on its own
    in the same format, with member paths made relative to the folder again."""
    if not unit.parts:
        yield from stream
        return
    seen: set[str] = set()
    last: str | None = None
    for record in stream:
        member = record.member if isinstance(record, RecordError) else record.locator.member
        if member and member != last:
            seen.add(member.split("/", 1)[0])
            last = member
        yield record
    for part in (p for p in unit.parts if p not in seen):
        path = unit.path / part
        alone = Unit(path, f"{unit.name}/{part}", unit.format, unit.detected, unit.confidence)
        prefix = f"{part}/" if path.is_dir() else ""
        importer.assumptions.append(Assumption(
            alone.name, "part", "read on its own", "inferred",
            f"it reads as {unit.format} on its own, but the {unit.format} reader took nothing "
            "from it as part of the folder"))
        with read_unit(alone, options, limits) as (reader, _source, records):
            for record in records:
                yield _under(record, prefix) if prefix else record
            importer.assumptions.extend(reader.assumptions)


def _under(record: ParsedMessage | RecordError, prefix: str) -> ParsedMessage | RecordError:
    if isinstance(record, RecordError):
        return replace(record, member=prefix + (record.member or ""))
    record.locator = replace(record.locator, member=prefix + (record.locator.member or ""))
    if record.attachments:
        record.attachments = tuple(replace(a, member=prefix + a.member) if a.member else a
                                   for a in record.attachments)
    return record


def nested_links(unit: Unit, source: Source) -> list[LeftOut]:
    """Links found below the top of a folder export (those at the top are in the plan)."""
    if not isinstance(source, DirSource):
        return []
    return [LeftOut(f"{unit.name}/{p}", "a link or special file, not read")
            for p in source.skipped if "/" in p]


@contextmanager
def read_unit(
    unit: Unit, options: ImportOptions, limits: SourceLimits
) -> Iterator[tuple[Importer, Source, Iterator[ParsedMessage | RecordError]]]:
    source: Source = (DirSource(unit.path, limits, unit.only) if unit.only is not None
                      else open_source(unit.path, limits))
    try:
        importer = get_importer(unit.format)()
        yield importer, source, importer.parse(source, options)
    finally:
        source.close()


# -- planning a folder ---------------------------------------------------------------------

@contextmanager
def _opened(path: Path, limits: SourceLimits, only: frozenset[str] | None = None
            ) -> Iterator[Source]:
    source = DirSource(path, limits, only) if only is not None else open_source(path, limits)
    try:
        yield source
    finally:
        source.close()


# Signatures of photos, audio, video and documents that exports carry as media: no format reads
# them, so a folder of thousands is planned without sniffing each one with every format.
_MEDIA_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"%PDF", b"OggS", b"RIFF", b"ID3",
                b"\x1aE\xdf\xa3", b"fLaC", b"#!AMR")


def _is_media(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return _media_head(fh.read(12))


def _media_head(head: bytes) -> bool:
    return head.startswith(_MEDIA_MAGIC) or head[4:8] == b"ftyp"  # ftyp: MP4, MOV, M4A, HEIC


def _refuse_mixed_archive(source: ZipSource, cls: type[Importer]) -> None:
    """A zip is kept whole as one evidence item in one format, so a zip that holds several
    exports (a folder zipped with a WhatsApp chat and a Telegram result.json side by side)
    would be read only in part: refuse it, naming what else is inside."""
    members = source.members()
    root = ""  # a zipped folder has one folder at its top: judge what is inside it
    while members and all(m.startswith(root) and "/" in m[len(root):] for m in members):
        tops = {m[len(root):].split("/", 1)[0] for m in members}
        if len(tops) != 1:
            break
        root += f"{tops.pop()}/"
    groups: dict[str, set[str]] = {}
    for member in members:
        groups.setdefault(root + member[len(root):].split("/", 1)[0], set()).add(member)
    if len(groups) < 2:
        return
    others = []
    for top, group in sorted(groups.items()):
        if len(group) == 1 and _media_head(source.head(next(iter(group)), 12)):
            continue
        part = Subset(source, frozenset(group))
        if confidence(cls, part) >= MIN_CONFIDENCE:
            continue
        found = best_importer(part)
        if found is not None:
            others.append(f"{top} ({found[0].name})")
    if others:
        raise ImportRejected(
            source.name,
            f"holds several exports: besides {cls.name}, {', '.join(others)}; a zip is kept "
            "and read whole in one format, so unzip it and import the folder (each export in "
            "it is then read in its own format)",
        )


def _score(cls: type[Importer], path: Path, limits: SourceLimits) -> float:
    try:
        with _opened(path, limits) as source:
            return confidence(cls, source)
    except ImportRejected:  # a damaged zip, say: no format reads it
        return 0.0


def _best(path: Path, limits: SourceLimits) -> tuple[type[Importer], float] | None:
    if _is_media(path):
        return None
    try:
        with _opened(path, limits) as source:
            return best_importer(source)
    except ImportRejected:
        return None


def _name(root: Path, path: Path) -> str:
    return root.name if path == root else f"{root.name}/{path.relative_to(root).as_posix()}"


def _members_under(folder: Path, entries: list[Path], limits: SourceLimits) -> frozenset[str]:
    found: set[str] = set()
    for entry in entries:
        if entry.is_dir():
            with _opened(entry, limits) as sub:
                rel = entry.relative_to(folder).as_posix()
                found.update(f"{rel}/{m}" for m in sub.members())
        else:
            found.add(entry.relative_to(folder).as_posix())
    return frozenset(found)


def _plan_dir(root: Path, folder: Path, limits: SourceLimits, plan: Plan) -> None:
    entries: list[Path] = []
    clutter: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):
            plan.left_out.append(LeftOut(_name(root, entry), "a link or special file, not read"))
        elif entry.name.lower() in CLUTTER or entry.name.startswith("._"):
            clutter.append(entry)
        else:
            entries.append(entry)
    whole = _best(folder, limits)
    if whole is not None and _plan_one_export(root, folder, whole, entries, clutter, limits,
                                              plan):
        return
    for entry in clutter:
        plan.left_out.append(LeftOut(_name(root, entry), "system clutter, not evidence"))
    for entry in entries:
        if entry.is_dir():
            _plan_dir(root, entry, limits, plan)
            continue
        own = _best(entry, limits)
        if own is None:
            plan.unreadable.append(_name(root, entry))
        else:
            plan.units.append(_file_unit(root, entry, own, limits))


def _file_unit(root: Path, entry: Path, found: tuple[type[Importer], float],
               limits: SourceLimits) -> Unit:
    if is_zip(entry):
        with _opened(entry, limits) as source:
            assert isinstance(source, ZipSource)
            _refuse_mixed_archive(source, found[0])
    return Unit(entry, _name(root, entry), found[0].name, True, found[1])


def _plan_one_export(
    root: Path,
    folder: Path,
    whole: tuple[type[Importer], float],
    entries: list[Path],
    clutter: list[Path],
    limits: SourceLimits,
    plan: Plan,
) -> bool:
    """Plan `folder` as one export in the format that reads it whole, if no entry in it is
    another format's export; False (nothing planned) otherwise."""
    cls, score = whole
    parts: list[Path] = []
    archives: list[Unit] = []
    for entry in entries:
        if _is_media(entry):
            continue  # the export's photos, voice notes, videos
        if _score(cls, entry, limits) >= MIN_CONFIDENCE:
            own = (cls, score)
        else:
            own_found = _best(entry, limits)
            if own_found is not None:
                return False  # another format's export: the folder is not one export
            continue  # media, metadata: part of the export
        if entry.is_file() and is_zip(entry):
            archives.append(_file_unit(root, entry, _best(entry, limits) or own, limits))
        else:
            parts.append(entry)
    plan.units.extend(archives)
    rest = [e for e in entries + clutter if all(a.path != e for a in archives)]
    if not archives:
        plan.units.append(Unit(folder, _name(root, folder), cls.name, True, score,
                               parts=tuple(p.name for p in parts)))
        return True
    if not rest:
        return True
    only = _members_under(folder, rest, limits)
    with _opened(folder, limits, only) as remaining:
        rest_score = confidence(cls, remaining)
    if rest_score >= MIN_CONFIDENCE:
        plan.units.append(Unit(folder, _name(root, folder), cls.name, True, rest_score, only,
                               tuple(p.name for p in parts)))
        return True
    # Only the archives were exports: what remains belongs to none.
    for entry in rest:
        if entry in clutter:
            plan.left_out.append(LeftOut(_name(root, entry), "system clutter, not evidence"))
        elif entry.is_dir():
            with _opened(entry, limits) as sub:
                plan.unreadable.extend(f"{_name(root, entry)}/{m}" for m in sub.members())
        else:
            plan.unreadable.append(_name(root, entry))
    return True
