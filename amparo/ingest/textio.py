"""Decoding helpers shared by importers: text lines with their numbers, and whole JSON
documents, each failing with an error that names the file and the line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
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


def _too_long(label: str, lineno: int) -> ImportRejected:
    return ImportRejected(
        label, f"a line longer than {MAX_LINE} bytes: this is not a text export",
        where=f"line {lineno}",
    )


def iter_lines(
    source: Source, member: str, encoding: str | None = None
) -> Iterator[tuple[int, str]]:
    """Yield `(line_number, text)` with line endings stripped, streaming, 1-based.

    Decoding is strict: a byte that is not valid in the encoding rejects the import with the
    line number, instead of silently turning evidence into replacement characters. Lines are
    bounded, so a huge file without line breaks cannot exhaust memory.
    """
    label = source.label(member)
    enc = encoding or sniff_encoding(source.head(member, 4))
    with source.open(member) as fh:
        if enc in ("utf-16", "utf-32"):
            yield from _wide_lines(fh, enc, label)
            return
        if enc == "utf-8-sig":
            fh.read(len(codecs.BOM_UTF8))
            enc = "utf-8"
        lineno = 0
        while raw := fh.readline(MAX_LINE + 1):
            lineno += 1
            if len(raw) > MAX_LINE:
                raise _too_long(label, lineno)
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                raise ImportRejected(
                    label,
                    f"not valid {enc} (byte 0x{bad} at column {exc.start + 1}); "
                    "was the file saved in another encoding? Pass --encoding to say which",
                    where=f"line {lineno}",
                ) from exc
            yield lineno, text.rstrip("\r\n")


def _wide_lines(fh: IO[bytes], enc: str, label: str) -> Iterator[tuple[int, str]]:
    """UTF-16/32 cannot be split on b"\n" safely; decode incrementally instead."""
    decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    buf = ""
    lineno = 0
    while True:
        chunk = fh.read(1 << 16)
        try:
            buf += decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                label, f"not valid {enc}: {exc.reason}", where=f"after line {lineno}"
            ) from exc
        *complete, buf = buf.split("\n")
        for text in complete:
            lineno += 1
            yield lineno, text.rstrip("\r")
        if len(buf) > MAX_LINE:
            raise _too_long(label, lineno + 1)
        if not chunk:
            if buf:
                yield lineno + 1, buf.rstrip("\r")
            return


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
