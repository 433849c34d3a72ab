"""Streaming mbox mailboxes: splitting at ``From `` lines without holding the mailbox.

One separator rule serves the whole package (the reader here, and `head_kind` when it decides
whether a file is an mbox): a line beginning ``From `` opens a message when it starts the file
or follows a blank line (mboxo/mboxrd), or when it reads as an envelope line (it carries a
time of day) and the lines right after it are an RFC 822 header block. The last case is how
Thunderbird and Netscape write their folders: the next ``From - Sat Jan 14 10:20:33 2023``
line can follow a MIME closing boundary or a body's last line directly, with no blank line
between; mail clients still split there, and so must we, or whole e-mails end up inside the
previous one's body.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterator, Sequence
from typing import IO

from amparo.ingest.errors import ImportRejected

# A line longer than this is read in pieces, so one absurd line cannot exhaust memory.
_READ_LIMIT = 1 << 20
_QUOTED_FROM = re.compile(rb"^>+From ")

_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_KNOWN_HEADERS = frozenset(
    b"from to cc bcc subject date message-id received return-path mime-version "
    b"content-type delivered-to reply-to in-reply-to references sender x-mailer "
    b"x-gm-thrid x-gmail-labels user-agent content-transfer-encoding".split()
)
STRONG_HEADERS = frozenset(b"from date message-id received subject".split())
# A separator met without a blank line before it must look like an envelope line
# (``From sender date``): a time of day, as every mbox writer puts there. Guards body prose.
_ENVELOPE_TIME = re.compile(rb"\d:\d\d")
# How far ahead to look for that header block: long Received/DKIM blocks still name a known
# header early (Return-Path, Received), so the verdict comes well before either limit, and a
# hostile file cannot make the reader hold more than this.
_LOOKAHEAD_LINES = 200
_LOOKAHEAD_BYTES = 1 << 16


def opens_header_block(lines: Sequence[bytes]) -> bool:
    """True when `lines` (without their ``\\n``) open with an RFC 822 header block naming
    known headers (two or more, one of them From, Date, Message-ID, Received or Subject).

    The block ends at a blank line; a last line that is not a header ends it too (a file's
    head may cut it short, and a header-only message may run into the next ``From `` line).
    """
    known: set[bytes] = set()
    for i, line in enumerate(lines):
        if line in (b"", b"\r"):
            break
        if line[:1] in (b" ", b"\t"):
            if i == 0:
                return False
            continue
        if not _HEADER_LINE.match(line):
            if i == len(lines) - 1:
                break
            return False
        known.add(line.split(b":", 1)[0].strip().lower())
    found = known & _KNOWN_HEADERS
    return len(found) >= 2 and bool(found & STRONG_HEADERS)


def _headers_follow(fh: IO[bytes], pending: deque[bytes]) -> bool:
    """Whether the lines after the current one open a header block. Reads ahead as far as
    needed (never past the block) and leaves what it read in `pending` for the reader."""
    lines: list[bytes] = []
    i = held = 0
    while len(lines) < _LOOKAHEAD_LINES and held < _LOOKAHEAD_BYTES:
        if i < len(pending):
            piece = pending[i]
        else:
            piece = fh.readline(_READ_LIMIT)
            if not piece:
                break
            pending.append(piece)
        i += 1
        held += len(piece)
        if not piece.endswith(b"\n"):  # end of file, or a line too long to be a header
            lines.append(piece)
            break
        line = piece[:-1]
        lines.append(line)
        if line in (b"", b"\r") or not (line[:1] in (b" ", b"\t") or _HEADER_LINE.match(line)):
            break
    return opens_header_block(lines)


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

    A message starts at a ``From `` line at the start of the file or right after a blank
    line, or at a ``From `` envelope line directly followed by header lines (see the module
    docstring). The body excludes the ``From `` line and the blank line that ends the message,
    and ``>From `` quoting is undone. A message larger than `max_message_bytes` is yielded
    with ``body=None`` (its bytes are skipped, not kept).
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
    pending: deque[bytes] = deque()  # lines read ahead by `_headers_follow`, not yet handled
    readline, next_pending = fh.readline, pending.popleft  # bound once: this is the hot loop

    def finish(end: int, end_line: int) -> MboxEntry:
        body: bytes | None = None
        if not too_big:
            if last_was_blank_line and parts:
                parts.pop()
            body = b"".join(parts)
        return MboxEntry(start or 0, end, start_line, end_line, envelope, body)

    while True:
        piece = next_pending() if pending else readline(_READ_LIMIT)
        if not piece:
            break
        consumed = len(piece)
        if at_line_start:
            lineno += 1
        if offset == 0 and piece.startswith(codecs.BOM_UTF8):
            piece = piece[len(codecs.BOM_UTF8) :]
            if not piece:  # the file is a byte-order mark and nothing else
                break
        # piece[0] == 70 ('F') first: a cheap test that rules out nearly every line.
        if at_line_start and piece[0] == 70 and piece.startswith(b"From ") and (
            prev_blank
            or (_ENVELOPE_TIME.search(piece) is not None and _headers_follow(fh, pending))
        ):
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
