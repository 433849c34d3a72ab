"""Decoding helpers shared by importers: text lines with their numbers, and whole JSON
documents, each failing with an error that names the file and the line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator, Iterable, Iterator
from typing import IO, Any, AnyStr

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
        label, f"a line longer than {MAX_LINE >> 20} MiB: this is not a text export",
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
    head = fh.read(max(_CHUNK, 4))  # room for any byte-order mark
    enc, head = _plain_codec(encoding or sniff_encoding(head[:4]), head)
    try:
        narrow = "\r\n".encode(enc) == b"\r\n"
    except LookupError:  # no such codec, or not one between text and bytes (rot13, hex)
        raise ImportRejected(label, f"unknown text encoding {enc!r}") from None
    except ValueError:
        narrow = False
    lineno = 0
    if narrow:
        # CR and LF bytes mean CR and LF: split the bytes, decode line by line (most lines
        # stay one-byte strings, and an invalid byte is placed exactly).
        for lines in _blocks(_chunks(fh, head), b"\n", b"\r", label):
            try:
                texts = [line.decode(enc, errors) for line in lines]
            except UnicodeDecodeError:
                raise _undecodable(label, enc, lines, lineno) from None
            yield from enumerate(texts, lineno + 1)
            lineno += len(texts)
        return
    decoder = codecs.getincrementaldecoder(enc)(errors=errors)
    try:
        for wide in _blocks(map(decoder.decode, _chunks(fh, head)), "\n", "\r", label):
            yield from enumerate(wide, lineno + 1)
            lineno += len(wide)
        decoder.decode(b"", final=True)
    except UnicodeError as exc:  # a decode error, or a UTF-16/32 stream without its BOM
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise ImportRejected(
            label, f"not valid {enc}: {reason}", where=f"after line {lineno}"
        ) from exc


def _chunks(fh: IO[bytes], head: bytes) -> Iterator[bytes]:
    if head:
        yield head
    while chunk := fh.read(_CHUNK):
        yield chunk


def _blocks(
    pieces: Iterable[AnyStr], lf: AnyStr, cr: AnyStr, label: str
) -> Iterator[list[AnyStr]]:
    """The complete lines in each piece of a stream, endings stripped. The unfinished last
    line waits for the next piece, and so does a CR at the end, which may be half a CRLF."""
    tail = lf[:0]
    count = 0
    for piece in pieces:
        lo = max(len(tail) - 1, 0)  # the tail holds no line break, save a final CR
        data = tail + piece if tail else piece
        if len(data) > MAX_LINE and _first_break(data, lf, cr) > MAX_LINE:
            raise _too_long(label, count + 1)
        stop = len(data) - 1 if data.endswith(cr) else len(data)
        cut = max(data.rfind(lf, lo, stop), data.rfind(cr, lo, stop)) + 1
        tail = data[cut:]
        if cut:
            lines = _splitlines(data[:cut])
            count += len(lines)
            yield lines
    if tail:
        yield _splitlines(tail)


def _splitlines(block: AnyStr) -> list[AnyStr]:
    """Lines split at LF, CRLF and lone CR only, as `bytes.splitlines` does in one pass
    (`str.splitlines` also splits at U+2028, form feeds and more, which are text here)."""
    if isinstance(block, bytes):
        return block.splitlines()
    lines = block.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines[-1]:
        lines.pop()
    return lines


def _first_break(data: AnyStr, lf: AnyStr, cr: AnyStr) -> int:
    """Where the first line of `data` ends (its length when it has no line break)."""
    ends = [i for i in (data.find(lf), data.find(cr)) if i >= 0]
    return min(ends, default=len(data))


def _undecodable(label: str, enc: str, lines: list[bytes], lineno: int) -> ImportRejected:
    """The error for the first line of a block that holds an invalid byte."""
    for n, line in enumerate(lines, lineno + 1):
        try:
            line.decode(enc)
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.start + 1].hex()
            return ImportRejected(
                label,
                f"not valid {enc} (byte 0x{bad} at column {exc.start + 1}); "
                "was the file saved in another encoding? Pass --encoding to say which",
                where=f"line {n}",
            )
    raise AssertionError("no undecodable line in the block")


# Byte-order marks and the codec that reads what follows them, per announced encoding.
_PLAIN: dict[str, tuple[tuple[bytes, str], ...]] = {
    "utf-8-sig": ((codecs.BOM_UTF8, "utf-8"),),
    "utf-16": ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-32": ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")),
}


def _plain_codec(enc: str, head: bytes) -> tuple[str, bytes]:
    """Skip a byte-order mark, and name the byte order it gave."""
    for bom, plain in _PLAIN.get(enc, ()):
        if head.startswith(bom):
            return plain, head[len(bom) :]
    return enc, head


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
