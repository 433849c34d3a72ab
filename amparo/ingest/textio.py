"""Decoding helpers shared by importers: text lines with their numbers, and whole JSON
documents, each failing with an error that names the file and the line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator
from typing import IO, Any

from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import Source

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def sniff_encoding(head: bytes, default: str = "utf-8") -> str:
    """The encoding announced by a byte-order mark, else `default`."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    return default


def head_text(source: Source, member: str, n: int = 8192) -> str:
    """The first `n` bytes of a member decoded leniently, for format sniffing only."""
    raw = source.head(member, n)
    enc = sniff_encoding(raw)
    return raw.decode(enc, errors="replace")


MAX_LINE = 8 * 1024 * 1024
_CHUNK = 1 << 15


def _too_long(label: str, lineno: int) -> ImportRejected:
    return ImportRejected(
        label, f"a line longer than {MAX_LINE} characters: this is not a text export",
        where=f"line {lineno}",
    )


def iter_lines(
    source: Source, member: str, encoding: str | None = None
) -> Generator[tuple[int, str], None, None]:
    """Yield `(line_number, text)` of a member with line endings stripped, streaming, 1-based
    (see `read_lines`)."""
    with source.open(member) as fh:
        yield from read_lines(fh, source.label(member), encoding)


def read_lines(
    fh: IO[bytes], label: str, encoding: str | None = None, *, errors: str = "strict"
) -> Generator[tuple[int, str], None, None]:
    """Yield `(line_number, text)` from a byte stream, line endings stripped, 1-based.

    A line ends at LF, CRLF or a lone CR, in any mix (old Mac exports and some Android tools
    write lone CRs; splitting on LF alone would merge their lines). Nothing else ends a line:
    U+2028, form feeds and the like stay in the text. The encoding is `encoding`, else the one
    a byte-order mark announces, else UTF-8.

    Decoding is strict: a byte that is not valid in the encoding rejects the import with the
    line number, instead of silently turning evidence into replacement characters (pass
    `errors="replace"` to display an original instead). The stream is read in fixed chunks and
    lines are bounded, so a huge file without line breaks cannot exhaust memory.
    """
    chunk = fh.read(max(_CHUNK, 4))  # room for any byte-order mark
    enc, chunk = _plain_codec(encoding or sniff_encoding(chunk[:4]), chunk)
    try:
        decoder = codecs.getincrementaldecoder(enc)(errors=errors)
    except LookupError:
        raise ImportRejected(label, f"unknown text encoding {enc!r}") from None
    lineno = 0
    tail = ""  # the unfinished last line of what was read so far
    while True:
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _undecodable(label, enc, exc, tail, lineno) from exc
        # `tail` holds no line break, save a CR kept at its end: search only the new text.
        lo = max(len(tail) - 1, 0)
        data = tail + text if tail else text
        if len(data) > MAX_LINE and _first_break(data) > MAX_LINE:
            raise _too_long(label, lineno + 1)
        if chunk:
            # Keep the unfinished line, and a final CR that may be the first half of a CRLF.
            stop = len(data) - 1 if data.endswith("\r") else len(data)
            cut = max(data.rfind("\n", lo, stop), data.rfind("\r", lo, stop)) + 1
        else:
            cut = len(data)
        if cut:
            block, tail = data[:cut], data[cut:]
            if "\r" in block:
                block = block.replace("\r\n", "\n").replace("\r", "\n")
            lines = block.split("\n")
            if not lines[-1]:
                lines.pop()  # the block ends with a line break
            yield from enumerate(lines, lineno + 1)
            lineno += len(lines)
        else:
            tail = data
        if not chunk:
            return
        chunk = fh.read(_CHUNK)


# Byte-order marks and the codec that reads what follows them, per announced encoding.
_PLAIN: dict[str, tuple[tuple[bytes, str], ...]] = {
    "utf-8-sig": ((codecs.BOM_UTF8, "utf-8"),),
    "utf-16": ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-32": ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")),
}


def _plain_codec(enc: str, head: bytes) -> tuple[str, bytes]:
    """Skip a byte-order mark and name the byte order it gave, so that every later piece of
    the stream decodes the same way on its own (as placing a decoding error needs)."""
    for bom, plain in _PLAIN.get(enc, ()):
        if head.startswith(bom):
            return plain, head[len(bom) :]
    return enc, head


def _first_break(text: str) -> int:
    """Where the first line of `text` ends (its length when it has no line break)."""
    ends = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(ends, default=len(text))


def _undecodable(
    label: str, enc: str, exc: UnicodeDecodeError, tail: str, lineno: int
) -> ImportRejected:
    """The error for an invalid byte, placed by decoding the valid bytes before it."""
    good = tail + exc.object[: exc.start].decode(enc, errors="replace")
    before = good.replace("\r\n", "\n").replace("\r", "\n")
    line = lineno + before.count("\n") + 1
    column = len(before) - before.rfind("\n")
    bad = exc.object[exc.start : exc.start + 1].hex()
    return ImportRejected(
        label,
        f"not valid {enc} (byte 0x{bad} at column {column}); "
        "was the file saved in another encoding? Pass --encoding to say which",
        where=f"line {line}",
    )


def load_json(source: Source, member: str, *, text: str | None = None) -> Any:
    """Parse a whole JSON member. Files over the configured limit are refused rather than
    risking the machine's memory; a syntax error names the line and column."""
    label = source.label(member)
    if text is None:
        size = source.size(member)
        if size > source.limits.max_json_bytes:
            raise ImportRejected(
                label,
                f"{size} bytes is more than the {source.limits.max_json_bytes}-byte limit for "
                "JSON exports (set AMPARO_MAX_JSON_BYTES to raise it)",
            )
        with source.open(member) as fh:
            raw = fh.read()
        text = decode_whole(raw, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = "ends too early (truncated?)" if exc.pos >= len(text.rstrip()) else exc.msg
        raise ImportRejected(
            label, f"invalid JSON: {problem}", where=f"line {exc.lineno}, column {exc.colno}"
        ) from exc


def decode_whole(raw: bytes, label: str, encoding: str | None = None) -> str:
    enc = encoding or sniff_encoding(raw[:4])
    try:
        return raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(
            label,
            f"not valid {enc} (byte 0x{raw[exc.start:exc.start + 1].hex()}); "
            "was the file saved in another encoding? Pass --encoding to say which",
            where=f"line {line}",
        ) from exc
