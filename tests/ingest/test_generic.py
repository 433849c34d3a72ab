from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from amparo.ingest import ImportOptions, ImportRejected
from tests.ingest.helpers import parse


def write(tmp_path: Path, name: str, content: str) -> Path:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return p


def test_csv_with_known_columns(tmp_path: Path) -> None:
    p = write(
        tmp_path, "posts.csv",
        'id,author,text,created_at\n1,@troll1,"vas a pagar, multi\nline",2024-03-01T10:00:00Z\n'
        "2,@troll2,segunda,1709287200\n",
    )
    fmt, msgs, errors = parse(p)
    assert fmt == "generic" and not errors
    assert [m.source_id for m in msgs] == ["1", "2"]
    assert msgs[0].text == "vas a pagar, multi\nline"
    assert msgs[0].locator.line_start == 2 and msgs[0].locator.line_end == 3
    assert msgs[1].locator.line_start == 4
    assert msgs[0].timestamp == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert msgs[1].timestamp == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert msgs[0].author is not None and msgs[0].author.key == "@troll1"


def test_csv_with_mapping_and_bad_rows(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "Body,Sent\nola,2024-01-01 10:00\ntchau,yesterday\nshort\n")
    opts = ImportOptions(column_map={"text": "Body", "timestamp": "Sent"})
    _, msgs, errors = parse(p, "generic", opts)
    assert [m.text for m in msgs] == ["ola"]
    assert msgs[0].timestamp is not None and msgs[0].timestamp.tzinfo is None
    assert [e.where for e in errors] == ["line 3", "line 4"]
    assert "timestamp" in errors[0].message


def test_mapping_to_missing_column_is_rejected(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(ImportRejected, match="no column 'Body'"):
        parse(p, "generic", ImportOptions(column_map={"text": "Body"}))


def test_no_text_column_names_header(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(ImportRejected, match="no text column"):
        parse(p, "generic")


def test_jsonl_with_bad_line(tmp_path: Path) -> None:
    content = '{"id": "a", "text": "hi"}\n{broken\n\n{"id": "b", "text": "yo"}\n'
    p = write(tmp_path, "m.jsonl", content)
    _, msgs, errors = parse(p)
    assert [(m.source_id, m.locator.line_start) for m in msgs] == [("a", 1), ("b", 4)]
    assert errors[0].where == "line 2"


def test_wrong_encoding_names_line(tmp_path: Path) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes("text\nok\nami\xe9\n".encode("latin-1"))
    with pytest.raises(ImportRejected, match=r"latin.csv, line 3: not valid utf-8"):
        parse(p, "generic")
    _, msgs, _ = parse(p, "generic", ImportOptions(encoding="latin-1"))
    assert msgs[1].text == "amié"


def test_unknown_format(tmp_path: Path) -> None:
    p = tmp_path / "blob.bin"
    p.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(ImportRejected, match="unknown format"):
        parse(p)


MIXED = ["\r\n", "\r", "\n"]  # a blank line after a CR would make a CRLF


@pytest.mark.parametrize("endings", [["\r"], ["\r\n"], MIXED], ids=["cr", "crlf", "mixed"])
def test_csv_any_line_endings(tmp_path: Path, endings: list[str]) -> None:
    # Lone CRs (old Mac tools) end rows too; one inside a quoted field is a line break.
    rows = ["id,author,text", '1,@troll1,"vas a pagar, multi', 'line"', "2,@troll2,segunda",
            "3,@troll3,terceira"]
    content = "".join(row + endings[i % len(endings)] for i, row in enumerate(rows))
    p = tmp_path / "posts.csv"
    p.write_bytes(content.encode())
    _, msgs, errors = parse(p, "generic")
    assert not errors
    assert [m.text for m in msgs] == ["vas a pagar, multi\nline", "segunda", "terceira"]
    assert [(m.locator.line_start, m.locator.line_end) for m in msgs] == [(2, 3), (4, 4),
                                                                          (5, 5)]


@pytest.mark.parametrize("endings", [["\r"], MIXED], ids=["cr", "mixed"])
def test_jsonl_any_line_endings(tmp_path: Path, endings: list[str]) -> None:
    rows = ['{"id": "a", "text": "hi"}', "", '{"id": "b", "text": "yo"}',
            '{"id": "c", "text": "tchau"}']
    content = "".join(row + endings[i % len(endings)] for i, row in enumerate(rows))
    p = tmp_path / "m.jsonl"
    p.write_bytes(content.encode())
    _, msgs, errors = parse(p)
    assert not errors
    assert [(m.source_id, m.locator.line_start) for m in msgs] == [("a", 1), ("b", 3), ("c", 4)]
