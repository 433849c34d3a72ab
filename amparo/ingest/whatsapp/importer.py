"""The WhatsApp importer: finding the chat in a source, settling the date order, and reading
its lines into messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import ClassVar

from amparo.domain import (
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Assumption, Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import FileSource, Source
from amparo.ingest.textio import head_text, iter_lines
from amparo.ingest.whatsapp.headers import HEADER, PARTIAL_HEADER, to_datetime, year_first
from amparo.ingest.whatsapp.messages import Context
from amparo.ingest.whatsapp.patterns import _CHAT_NAME, _MARKS

# Header groups by number, for the per-line loop.
_IOS, _STAMP, _REST = (HEADER.groupindex[g] for g in ("ios", "stamp", "rest"))


def chat_title(name: str) -> str:
    """The chat's title from an export's file name ("WhatsApp Chat with Ana Souza.txt"
    gives "Ana Souza"), else the file name without its extension."""
    stem = PurePosixPath(name).name
    if stem.lower().endswith((".txt", ".zip")):
        stem = stem[:-4]
    m = _CHAT_NAME.fullmatch(stem.strip())
    return (m.group(1) if m else stem).strip()


def _is_chat_name(member: str) -> bool:
    base = PurePosixPath(member).name
    if not base.lower().endswith(".txt"):
        return False
    return base.lower() == "_chat.txt" or _CHAT_NAME.fullmatch(base[:-4].strip()) is not None


def _sniff_text(head: str) -> float:
    lines = [ln for ln in head.splitlines()[:40] if ln.strip(" \t" + _MARKS)]
    if not lines:
        return 0.0
    if HEADER.match(lines[0]):
        return 0.95
    hits = sum(1 for ln in lines[:20] if HEADER.match(ln))
    return 0.7 if hits >= 2 else 0.0


class WhatsAppImporter(Importer):
    name: ClassVar[str] = "whatsapp"
    platform: ClassVar[Platform] = Platform.WHATSAPP
    description: ClassVar[str] = (
        "WhatsApp 'Export chat' text file, or its .zip with media (Android and iOS)"
    )

    @classmethod
    def _candidates(cls, source: Source) -> list[str]:
        members = source.members()
        if isinstance(source, FileSource):
            return members
        named = [m for m in members if _is_chat_name(m)]
        others = [m for m in members if m.lower().endswith(".txt") and m not in named]
        return named + others[:5]

    @classmethod
    def sniff(cls, source: Source) -> float:
        best = 0.0
        for member in cls._candidates(source)[:6]:
            best = max(best, _sniff_text(head_text(source, member)))
            if best >= 0.95:
                break
        return best

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        candidates = self._candidates(source)
        chats = [m for m in candidates if _is_chat_name(m)] or [
            m for m in candidates if _sniff_text(head_text(source, m)) > 0
        ]
        if not chats:
            if len(candidates) == 1:
                chats = candidates  # let the first pass say what is wrong with it
            else:
                raise ImportRejected(
                    source.name, "no WhatsApp chat export (.txt) found in the source"
                )
        chat_set = set(chats)
        media: dict[str, str] = {}
        if not isinstance(source, FileSource):
            for m in source.members():
                if m not in chat_set:
                    media.setdefault(PurePosixPath(m).name, m)
        for member in chats:
            base = PurePosixPath(member).name
            title = chat_title(source.name if base.lower() == "_chat.txt" else base)
            yield from self._parse_member(source, member, options, media, title)

    # -- first pass ----------------------------------------------------------------------

    def _date_order(
        self, source: Source, member: str, options: ImportOptions
    ) -> tuple[bool, bool]:
        """(day_first, assumed): the day/month order, read from the first line that settles
        it; `assumed` when no line does and the caseworker did not say."""
        label = source.label(member)
        match = HEADER.match
        found = False
        ambiguous = False
        non_empty = False
        # Close the reader explicitly: the deciding line may come early.
        lines = iter_lines(source, member, options.encoding)
        try:
            for lineno, line in lines:
                m = match(line)
                if m is None:
                    if not non_empty and line.strip(" \t" + _MARKS):
                        non_empty = True
                    continue
                found = True
                if year_first(m):
                    continue
                a, b = m.group("a", "b")
                ambiguous = True
                if int(a) > 12 or int(b) > 12:
                    day_first = int(a) > 12
                    self._note_order(label, day_first, "inferred", _settled_by(
                        lineno, m.group(2).strip(), day_first, options.day_first))
                    return day_first, False
        finally:
            lines.close()
        if not found:
            if non_empty:
                raise ImportRejected(
                    label, "no WhatsApp message header (like '12/03/2024, 21:15 - Name: "
                    "text' or '[12/03/2024, 21:15:07] Name: text') found",
                )
            raise ImportRejected(label, "the file is empty")
        if options.day_first is not None:
            if ambiguous:
                self._note_order(label, options.day_first, "given", "every date in the chat "
                                 "reads both ways; the order was given by the caseworker")
            return options.day_first, False
        if ambiguous:
            self._note_order(label, True, "assumed", "every date in the chat reads both ways "
                             "(no day over 12); day first assumed: re-read with --month-first "
                             "if that is wrong")
        return True, ambiguous

    def _note_order(self, label: str, day_first: bool, basis: str, detail: str) -> None:
        order = "day/month/year" if day_first else "month/day/year"
        self.assumptions.append(Assumption(label, "date_order", order, basis, detail))

    # -- second pass ---------------------------------------------------------------------

    def _parse_member(
        self,
        source: Source,
        member: str,
        options: ImportOptions,
        media: dict[str, str],
        title: str,
    ) -> Iterator[ParsedMessage | RecordError]:
        day_first, assumed = self._date_order(source, member, options)
        order = "day/month/year" if day_first else "month/day/year"
        match = HEADER.match
        cache: dict[str, datetime] = {}
        authors: dict[str, ParsedAccount | None] = {}
        ctx = Context(member, title, assumed, authors, media, source)

        start = 0  # line number of the current message's header; 0 when none
        ts: datetime | None = None
        rest = ""
        ios = False
        more: list[str] | None = None
        orphan: tuple[int, int] | None = None
        last_line = ""
        skipping = False

        for lineno, line in iter_lines(source, member, options.encoding):
            m = match(line)
            if m is None:
                if start:
                    if more is None:
                        more = [line]
                    else:
                        more.append(line)
                elif not skipping and line.strip(" \t" + _MARKS):
                    orphan = (orphan[0] if orphan else lineno, lineno)
                last_line = line
                continue
            if start:
                yield ctx.build(start, ts, rest, ios, more)
                start = 0
            elif orphan:
                yield _orphan_error(member, orphan)
                orphan = None
            more = None
            key = m.group(_STAMP)
            stamp = cache.get(key)
            if stamp is None:
                try:
                    stamp = to_datetime(m, day_first)
                except ValueError as exc:
                    yield RecordError(
                        member, f"line {lineno}",
                        f"impossible date or time {key.strip()!r} read as {order} ({exc})",
                    )
                    skipping = True
                    continue
                if len(cache) > 20_000:
                    cache.clear()
                cache[key] = stamp
            skipping = False
            start, ts, rest, ios = lineno, stamp, m.group(_REST), m.group(_IOS) is not None
            last_line = line

        if orphan:
            yield _orphan_error(member, orphan)
        if start:
            if more and more[-1] is last_line and PARTIAL_HEADER.fullmatch(last_line):
                more.pop()
                yield ctx.build(start, ts, rest, ios, more or None)
                yield RecordError(
                    member, f"line {start + len(more) + 1}",
                    f"the file ends inside a message header ({last_line.strip()!r}); "
                    "was the export truncated?",
                )
            else:
                yield ctx.build(start, ts, rest, ios, more)


def _settled_by(lineno: int, stamp: str, day_first: bool, given: bool | None) -> str:
    order = "day/month/year" if day_first else "month/day/year"
    why = f"line {lineno} ({stamp!r}) can only be {order}"
    if given is not None and given != day_first:
        why += "; the order given with --day-first/--month-first does not fit it, not used"
    return why


def _orphan_error(member: str, span: tuple[int, int]) -> RecordError:
    where = f"line {span[0]}" if span[0] == span[1] else f"lines {span[0]}-{span[1]}"
    return RecordError(member, where, "text before the first WhatsApp message header")

