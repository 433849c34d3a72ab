"""The email importer: finding messages in a source (single .eml files, folders, zips, mbox
mailboxes) and turning each into `ParsedMessage`s, forwarded messages included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, ClassVar

from amparo.domain import (
    Locator,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.email.fastpath import _fast_read, _split_simple
from amparo.ingest.email.mbox import STRONG_HEADERS, iter_mbox, opens_header_block
from amparo.ingest.email.message import _Parsed, _read
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import FileSource, Source

EMAIL_SUFFIXES = (".eml", ".mbox", ".mbx", ".mbs")
_MAX_DEPTH = 8  # forwarded-inside-forwarded nesting followed at most this deep

_STRONG_NAMES = frozenset(n.decode() for n in STRONG_HEADERS)
_FROM_LINE = re.compile(rb"^From \S*")


def head_kind(head: bytes) -> str | None:
    """'mbox', 'eml' or None, from the first bytes of a file."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.split(b"\n")
    if _FROM_LINE.match(lines[0]):
        return "mbox" if opens_header_block(lines[1:]) else None
    return "eml" if opens_header_block(lines) else None


class EmailImporter(Importer):
    name: ClassVar[str] = "email"
    platform: ClassVar[Platform] = Platform.EMAIL
    description: ClassVar[str] = "Email: .eml files (single, folder or zip) and mbox mailboxes"
    # Plain single-part messages with simple headers skip the stdlib parser (see `_fast_read`);
    # tests turn this off to check that both paths give the same results.
    fast_path: ClassVar[bool] = True

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        if isinstance(source, FileSource):
            candidates = members
        else:
            candidates = [m for m in members if _email_candidate(m)]
        for member in candidates[:8]:
            try:
                if head_kind(source.head(member, 4096)):
                    return 0.95
            except OSError:
                continue
        return 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        single = isinstance(source, FileSource)
        found = False
        for member in source.members():
            if not single and not _email_candidate(member):
                continue
            kind = head_kind(source.head(member, 4096))
            if kind is None:
                if single:
                    raise ImportRejected(
                        source.label(member),
                        "not an email message or mbox mailbox: no RFC 822 headers "
                        "and no 'From ' line",
                        where="line 1",
                    )
                continue
            found = True
            if kind == "mbox":
                yield from self._mbox(source, member)
            else:
                yield from self._eml(source, member)
        if not found:
            raise ImportRejected(source.name, "no email message or mbox mailbox found")

    # ------------------------------------------------------------------ files

    def _eml(self, source: Source, member: str) -> Iterator[ParsedMessage | RecordError]:
        size = source.size(member)
        if size > source.limits.max_json_bytes:
            yield RecordError(
                member, "message", f"{size} bytes is over the {source.limits.max_json_bytes}"
                "-byte limit for one message",
            )
            return
        with source.open(member) as fh:
            raw = fh.read()
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
        locator = Locator(member=member, line_start=1, line_end=max(lines, 1))
        yield from self._message(raw, member, locator, "message", {})

    def _mbox(self, source: Source, member: str) -> Iterator[ParsedMessage | RecordError]:
        cap = source.limits.max_json_bytes
        with source.open(member) as fh:
            for entry in iter_mbox(fh, cap, source.label(member)):
                locator = Locator(
                    member=member,
                    line_start=entry.line_start,
                    line_end=entry.line_end,
                    byte_start=entry.byte_start,
                    byte_end=entry.byte_end,
                )
                where = f"line {entry.line_start}"
                if entry.body is None:
                    yield RecordError(
                        member, where, f"message is over the {cap}-byte limit for one message"
                    )
                    continue
                extra = {"envelope": entry.envelope} if entry.envelope else {}
                yield from self._message(entry.body, member, locator, where, extra)

    # ------------------------------------------------------------------ messages

    def _message(
        self,
        raw: bytes,
        member: str,
        locator: Locator,
        where: str,
        extra: dict[str, Any],
    ) -> Iterator[ParsedMessage | RecordError]:
        if self.fast_path:
            simple = _split_simple(raw)
            if simple is not None:
                headers, body = simple
                if not headers.keys() & _STRONG_NAMES:
                    yield RecordError(
                        member, where, "no email headers (From, Date, Subject...) found"
                    )
                    return
                fast_extra = dict(extra)
                parsed = _fast_read(headers, body, fast_extra)
                if parsed is not None:
                    yield _record(parsed, locator, fast_extra, None)
                    return
        try:
            msg = BytesParser(policy=policy.default).parsebytes(raw)
        except Exception as exc:  # noqa: BLE001 - the parser is lenient; anything else is a bad record
            yield RecordError(member, where, f"unreadable message: {exc}")
            return
        assert isinstance(msg, EmailMessage)
        yield from self._emit(msg, member, locator, where, extra, None, None, 0)

    def _emit(
        self,
        msg: EmailMessage,
        member: str,
        locator: Locator,
        where: str,
        extra: dict[str, Any],
        forwarded_by: str | None,
        forwarded_in: str | None,
        depth: int,
    ) -> Iterator[ParsedMessage | RecordError]:
        names = {k.lower() for k in msg}
        if not names & _STRONG_NAMES:
            yield RecordError(member, where, "no email headers (From, Date, Subject...) found")
            return
        extra = dict(extra)
        try:
            parsed = _read(msg, extra)
        except Exception as exc:  # noqa: BLE001 - malformed MIME must not stop the import
            yield RecordError(member, where, f"unreadable message: {exc}")
            return
        if forwarded_in:
            extra["forwarded_in"] = forwarded_in
        author = parsed.author
        yield _record(parsed, locator, extra, forwarded_by)
        if depth >= _MAX_DEPTH:
            return
        for inner in parsed.forwarded:
            yield from self._emit(
                inner, member, locator, f"{where}, forwarded message", {},
                author.key if author else None, parsed.message_id, depth + 1,
            )


def _record(
    parsed: _Parsed, locator: Locator, extra: dict[str, Any], forwarded_by: str | None
) -> ParsedMessage:
    return ParsedMessage(
        platform=Platform.EMAIL,
        timestamp=parsed.timestamp,
        text=parsed.text,
        locator=locator,
        author=parsed.author,
        source_id=parsed.message_id,
        conversation_key=parsed.thread,
        conversation_title=parsed.subject,
        recipients=parsed.recipients,
        reply_to=parsed.in_reply_to,
        forwarded_from=forwarded_by,
        attachments=parsed.attachments,
        extra=extra,
    )


def _email_candidate(member: str) -> bool:
    """Members worth a look inside a folder or zip: email suffixes or no suffix at all."""
    name = member.rsplit("/", 1)[-1].lower()
    if name.startswith("."):
        return False
    return name.endswith(EMAIL_SUFFIXES) or "." not in name

