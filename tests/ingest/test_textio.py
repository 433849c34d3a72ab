"""The shared line reader: every line ending (LF, CRLF, lone CR, mixed), across read chunks,
in every Unicode encoding, with errors that name the line."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.ingest import ImportRejected, textio
from amparo.ingest.textio import read_lines


def lines_of(data: bytes, encoding: str | None = None, **kw: str) -> list[tuple[int, str]]:
    return list(read_lines(io.BytesIO(data), "chat.txt", encoding, **kw))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\n", ["a", "b"]),
        (b"a\r\nb\r\n", ["a", "b"]),
        (b"a\rb\r", ["a", "b"]),
        (b"a\rb\nc\r\nd", ["a", "b", "c", "d"]),
        (b"a\r\rb\r", ["a", "", "b"]),  # a blank line, not a doubled ending
        (b"a\r\r\nb", ["a", "", "b"]),  # a lone CR, then a CRLF
        (b"a\n\r\nb\r\n\r\n", ["a", "", "b", ""]),
        (b"no ending", ["no ending"]),
        (b"\r", [""]),
        (b"", []),
        # Only LF and CR end lines; other Unicode breaks are text.
        ("a\u2028b\x0bc\x0cd\x1ce\x85f\n".encode(), ["a\u2028b\x0bc\x0cd\x1ce\x85f"]),
    ],
    ids=["lf", "crlf", "cr", "mixed", "cr-blank", "cr-crlf", "blank-lines", "no-final-ending",
         "lone-cr", "empty", "unicode-breaks-are-text"],
)
def test_line_endings(data: bytes, expected: list[str]) -> None:
    assert lines_of(data) == list(enumerate(expected, 1))


# No NUL: UTF-16's byte-order mark and a NUL are UTF-32's mark, a sniffing ambiguity no real
# export meets.
LINE = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(LINE, st.sampled_from(["\n", "\r\n", "\r"])), max_size=12),
    last=LINE,
    chunk=st.integers(1, 9),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-32-be", "utf-8-sig"]),
)
def test_any_endings_across_any_chunk_boundary(
    lines: list[tuple[str, str]], last: str, chunk: int, encoding: str
) -> None:
    # A CRLF or a multi-byte character split between two reads is still one. The oracle is
    # Python's own universal-newline reading, which splits at the same three endings.
    text = "".join(t + end for t, end in lines) + last
    data = text.encode(encoding)
    expected = [ln.removesuffix("\n") for ln in io.StringIO(text, newline=None).readlines()]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(textio, "_CHUNK", chunk)
        got = lines_of(data, None if encoding.endswith(("16", "sig")) else encoding)
    assert got == list(enumerate(expected, 1))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le"])
def test_byte_order_mark_is_read_and_dropped(encoding: str) -> None:
    bom = {"utf-8-sig": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
           "utf-32-le": b"\xff\xfe\x00\x00"}[encoding]
    data = bom + "¡Cállate!\rsegunda\r".encode(encoding)
    assert lines_of(data) == [(1, "¡Cállate!"), (2, "segunda")]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [3, 1 << 15])
def test_invalid_byte_names_line_and_column(ending: str, chunk: int) -> None:
    data = ending.join(["primeira", "segunda", "ol\xe1 terceira", ""]).encode("latin-1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(textio, "_CHUNK", chunk)
        with pytest.raises(ImportRejected, match=r"line 3: not valid utf-8 \(byte 0xe1 at "
                                                  r"column 3\)"):
            lines_of(data)
    assert lines_of(data, "latin-1")[2] == (3, "olá terceira")
    assert lines_of(data, errors="replace")[2] == (3, "ol\ufffd terceira")


def test_invalid_utf16_is_refused() -> None:
    # A lone surrogate after a big-endian BOM: the codec, and the lines read before it, named.
    data = b"\xfe\xff" + "um\rdois\r".encode("utf-16-be") + b"\xdc\x00" + "\r".encode("utf-16-be")
    with pytest.raises(ImportRejected, match=r"after line \d+: not valid utf-16-be"):
        lines_of(data)


def test_line_length_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_LINE", 10)
    monkeypatch.setattr(textio, "_CHUNK", 4)
    assert lines_of(b"0123456789\r" * 3) == [(i, "0123456789") for i in (1, 2, 3)]
    for data in (b"ok\r0123456789A\rok", b"ok\n0123456789A"):
        with pytest.raises(ImportRejected, match="line 2: a line longer than"):
            lines_of(data)


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "hex"])
def test_unknown_encoding_is_a_clear_error(encoding: str) -> None:
    with pytest.raises(ImportRejected, match=f"unknown text encoding '{encoding}'"):
        lines_of(b"a\n", encoding)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_wrong_wide_encoding_is_a_clear_error(encoding: str) -> None:
    """UTF-8 text read as UTF-16/32 (the caseworker's --encoding was wrong): a refusal naming
    the file, not a bare UnicodeError (UTF-16 without a BOM raises that, not a decode error)."""
    with pytest.raises(ImportRejected, match=f"chat.txt.*not valid {encoding}"):
        lines_of("12/03/2024, 10:00 - Ana: olá\n".encode(), encoding)
