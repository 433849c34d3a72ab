"""Generic CSV and JSON Lines: one message per row, columns mapped to Amparo's fields.

Common column names are recognised without a mapping; anything else is given with
`--map field=column` on the command line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from amparo.domain import Locator, ParsedAccount, ParsedMessage, Platform, RecordError
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import opt_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text, iter_lines
from amparo.ingest.timeparse import parse_any

FIELDS = ("text", "timestamp", "author", "author_name", "id", "conversation", "reply_to")

# Column names recognised without a mapping, in order of preference.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "content", "body", "tweet", "post"),
    "timestamp": ("timestamp", "time", "date", "datetime", "created_at", "sent_at"),
    "author": ("author", "author_id", "user", "username", "sender", "from", "account_id"),
    "author_name": ("author_name", "display_name", "name", "sender_name"),
    "id": ("id", "message_id", "post_id", "tweet_id"),
    "conversation": ("conversation", "chat", "channel", "thread", "conversation_id"),
    "reply_to": ("reply_to", "in_reply_to", "reply_to_id", "parent_id"),
}


def resolve_columns(header: list[str], column_map: Mapping[str, str], label: str) -> dict[str, str]:
    """Map Amparo fields to the file's columns: explicit mapping first, then known names."""
    unknown = set(column_map) - set(FIELDS)
    if unknown:
        raise ImportRejected(
            label, f"unknown field(s) in --map: {', '.join(sorted(unknown))}; "
            f"fields are {', '.join(FIELDS)}"
        )
    lowered = {h.strip().lower(): h for h in header}
    chosen: dict[str, str] = {}
    for fld in FIELDS:
        if fld in column_map:
            col = column_map[fld]
            if col not in header:
                raise ImportRejected(label, f"--map {fld}={col}: no column {col!r} in the file")
            chosen[fld] = col
            continue
        for candidate in DEFAULT_COLUMNS[fld]:
            if candidate in lowered:
                chosen[fld] = lowered[candidate]
                break
    if "text" not in chosen:
        raise ImportRejected(
            label, "no text column found; name it with --map text=COLUMN",
            where=f"header {header!r}",
        )
    return chosen


class GenericImporter(Importer):
    name: ClassVar[str] = "generic"
    platform: ClassVar[Platform] = Platform.GENERIC
    description: ClassVar[str] = "CSV or JSON Lines, one message per row, with a column mapping"

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = [m for m in source.members() if m.lower().endswith((".csv", ".jsonl", ".ndjson"))]
        if len(members) != 1 or len(source.members()) != 1:
            return 0.0
        head = head_text(source, members[0]).lstrip()
        first = head.splitlines()[0] if head else ""
        texts = set(DEFAULT_COLUMNS["text"])
        if first.startswith("{"):
            try:
                keys = set(json.loads(first))
            except ValueError:
                return 0.1
            return 0.6 if keys & texts else 0.3
        cols = {c.strip().lower() for c in next(csv.reader([first]), [])}
        return 0.6 if cols & texts else 0.3

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        for member in source.members():
            lower = member.lower()
            if lower.endswith((".jsonl", ".ndjson")):
                yield from self._parse_jsonl(source, member, options)
            elif lower.endswith((".csv", ".tsv")) or len(source.members()) == 1:
                yield from self._parse_csv(source, member, options)

    def _parse_csv(
        self, source: Source, member: str, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        label = source.label(member)
        lines = iter_lines(source, member, options.encoding)
        delimiter = "\t" if member.lower().endswith(".tsv") else ","
        reader = csv.reader((text + "\n" for _, text in lines), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportRejected(label, "the file is empty") from None
        except csv.Error as exc:
            raise ImportRejected(label, f"unreadable CSV header: {exc}", where="line 1") from exc
        columns = resolve_columns(header, options.column_map, label)
        index = {fld: header.index(col) for fld, col in columns.items()}
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportRejected(
                    label, f"malformed CSV: {exc}", where=f"line {reader.line_num}"
                ) from exc
            end = reader.line_num
            locator = Locator(member=member, line_start=start, line_end=end)
            where = f"line {start}"
            start = end + 1
            if not any(row):
                continue
            if len(row) != len(header):
                yield RecordError(member, where, f"{len(row)} fields, the header has {len(header)}")
                continue
            yield from self._record({f: row[i] for f, i in index.items()}, locator, member, where)

    def _parse_jsonl(
        self, source: Source, member: str, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        label = source.label(member)
        columns: dict[str, str] | None = None
        for lineno, text in iter_lines(source, member, options.encoding):
            if not text.strip():
                continue
            where = f"line {lineno}"
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RecordError(member, where, f"invalid JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                yield RecordError(member, where, "not a JSON object")
                continue
            if columns is None:
                columns = resolve_columns(list(obj), options.column_map, label)
            values = {f: obj.get(c) for f, c in columns.items()}
            locator = Locator(member=member, line_start=lineno)
            yield from self._record(values, locator, member, where)

    def _record(
        self, values: Mapping[str, Any], locator: Locator, member: str, where: str
    ) -> Iterator[ParsedMessage | RecordError]:
        text = values.get("text")
        if text is None:
            yield RecordError(member, where, "no text")
            return
        raw_ts = values.get("timestamp")
        timestamp = None
        if raw_ts not in (None, ""):
            try:
                timestamp = parse_any(str(raw_ts))
            except (ValueError, OverflowError, OSError):
                yield RecordError(member, where, f"unreadable timestamp {raw_ts!r}")
                return
        author_key = opt_str(values.get("author"))
        author_name = opt_str(values.get("author_name"))
        author = None
        if author_key or author_name:
            author = ParsedAccount(
                Platform.GENERIC, author_key or author_name or "", handle=author_key,
                display_name=author_name,
            )
        yield ParsedMessage(
            platform=Platform.GENERIC,
            timestamp=timestamp,
            text=str(text),
            locator=locator,
            author=author,
            source_id=opt_str(values.get("id")),
            conversation_key=opt_str(values.get("conversation")),
            reply_to=opt_str(values.get("reply_to")),
        )
