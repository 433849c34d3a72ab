"""Hostile archives and oversized inputs are refused with a clear message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from amparo.ingest import ImportRejected, SourceLimits
from amparo.ingest.sources import DirSource, ZipSource, open_source, unsafe_member_reason
from amparo.ingest.textio import load_json


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("chat.txt", False),
        ("media/IMG-0001.jpg", False),
        ("a/../b.txt", True),
        ("../../etc/passwd", True),
        ("/etc/passwd", True),
        ("C:\\Windows\\evil.txt", True),
        ("..\\evil.txt", True),
        ("nul\x00byte", True),
    ],
)
def test_member_names(name: str, unsafe: bool) -> None:
    assert (unsafe_member_reason(name) is not None) is unsafe


def test_path_traversal_in_zip_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "evil.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("chat.txt", "hello")
        zf.writestr("../../outside.txt", "pwned")
    with pytest.raises(ImportRejected, match=r"evil.zip, member '../../outside.txt'"):
        open_source(p)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "bomb.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("chat.txt", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(ImportRejected, match="zip bomb"):
        open_source(p)


def test_archive_total_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "big.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for i in range(3):
            zf.writestr(f"f{i}.txt", b"x" * 1000)
    with pytest.raises(ImportRejected, match="would expand"):
        ZipSource(p, SourceLimits(max_total_uncompressed=2500))


def test_not_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "fake.zip"
    p.write_bytes(b"PK\x03\x04 but nothing else")
    with pytest.raises(ImportRejected, match="not a readable zip"):
        open_source(p)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected, match="no such file"):
        open_source(tmp_path / "nope.txt")


def test_folder_skips_symlinks(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.json").write_text("{}")
    outside = tmp_path / "secret.txt"
    outside.write_text("private")
    (tmp_path / "d" / "link.txt").symlink_to(outside)
    src = open_source(tmp_path / "d")
    assert isinstance(src, DirSource)
    assert src.members() == ["a.json"]


def test_oversized_json_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_text('{"messages": []}' + " " * 200)
    src = open_source(p, SourceLimits(max_json_bytes=100))
    with pytest.raises(ImportRejected, match="limit for JSON exports"):
        load_json(src, "result.json")


def test_truncated_json_names_line(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_text('{\n  "messages": [\n    {"id": 1, "text": "oi"},\n    {"id": 2, "te')
    src = open_source(p)
    with pytest.raises(ImportRejected, match=r"result.json, line 4, column \d+: invalid JSON"):
        load_json(src, "result.json")
