"""Streaming mbox mailboxes: splitting at ``From `` lines without holding the mailbox."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from amparo.ingest.errors import ImportRejected

# A line longer than this is read in pieces, so one absurd line cannot exhaust memory.
_READ_LIMIT = 1 << 20
_QUOTED_FROM = re.compile(rb"^>+From ")


class MboxEntry:
    __slots__ = ("body", "byte_end", "byte_start", "envelope", "line_end", "line_start")

    def __init__(
        self, byte_start: int, byte_end: int, line_start: int, line_end: int,
        envelope: str, body: bytes | None,
    ) -> None:
        self.byte_start = byte_start
        self.byte_end = byte_end
        self.line_start = line_start
        self.line_end = line_end
        self.envelope = envelope
        self.body = body


def iter_mbox(
    fh: IO[bytes], max_message_bytes: int, label: str = "mbox"
) -> Iterator[MboxEntry]:
    """Split an mbox stream into messages without holding more than one in memory.

    A message starts at a line beginning with ``From `` at the start of the file or right
    after a blank line. The body excludes the ``From `` line and the blank line that ends the
    message, and ``>From `` quoting is undone. A message larger than `max_message_bytes` is
    yielded with ``body=None`` (its bytes are skipped, not kept).
    """
    offset = 0
    lineno = 0
    start: int | None = None
    start_line = 0
    envelope = ""
    parts: list[bytes] = []
    size = 0
    too_big = False
    prev_blank = True
    at_line_start = True
    last_was_blank_line = False  # the message's final complete line was empty

    def finish(end: int, end_line: int) -> MboxEntry:
        body: bytes | None = None
        if not too_big:
            if last_was_blank_line and parts:
                parts.pop()
            body = b"".join(parts)
        return MboxEntry(start or 0, end, start_line, end_line, envelope, body)

    while True:
        piece = fh.readline(_READ_LIMIT)
        if not piece:
            break
        consumed = len(piece)
        if at_line_start:
            lineno += 1
        if offset == 0 and piece.startswith(codecs.BOM_UTF8):
            piece = piece[len(codecs.BOM_UTF8) :]
        if at_line_start and prev_blank and piece.startswith(b"From "):
            if start is not None:
                yield finish(offset, lineno - 1)
            start, start_line = offset, lineno
            envelope = piece.rstrip(b"\r\n").decode("utf-8", "replace")
            parts, size, too_big, last_was_blank_line = [], 0, False, False
        elif start is None:
            if piece.strip():
                raise ImportRejected(
                    label, "text before the first 'From ' line", where=f"line {lineno}"
                )
        else:
            if at_line_start and _QUOTED_FROM.match(piece):
                piece = piece[1:]
            size += len(piece)
            if size > max_message_bytes:
                too_big = True
                parts = []
            elif not too_big:
                parts.append(piece)
            last_was_blank_line = at_line_start and piece in (b"\n", b"\r\n")
        ended = piece.endswith(b"\n")
        prev_blank = at_line_start and ended and piece in (b"\n", b"\r\n")
        at_line_start = ended
        offset += consumed
    if start is not None:
        yield finish(offset, lineno)

