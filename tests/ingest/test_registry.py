from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from amparo.domain import ParsedMessage, Platform, RecordError
from amparo.ingest import ImportOptions, ImportRejected
from amparo.ingest.base import Importer
from amparo.ingest.registry import IMPORTERS, SNIFF_FAILURES, detect_format
from amparo.ingest.sources import Source, open_source


def _failing(exc: Exception) -> type[Importer]:
    class Failing(Importer):
        name: ClassVar[str] = "zz-failing"
        platform: ClassVar[Platform] = Platform.GENERIC
        description: ClassVar[str] = "sniff always raises"

        @classmethod
        def sniff(cls, source: Source) -> float:
            raise exc

        def parse(
            self, source: Source, options: ImportOptions
        ) -> Iterator[ParsedMessage | RecordError]:
            yield from ()

    return Failing


@pytest.mark.parametrize(
    "exc",
    [OSError("unreadable"), KeyError("member"), ImportRejected("f", "bad"), ValueError("x"),
     UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")],
)
def test_a_sniff_that_raises_counts_as_no_confidence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exc: Exception
) -> None:
    assert isinstance(exc, SNIFF_FAILURES)
    failing = _failing(exc)
    monkeypatch.setitem(IMPORTERS, failing.name, failing)
    p = tmp_path / "rows.csv"
    p.write_text("text,author\nhola,ana\n", encoding="utf-8")
    source = open_source(p)
    try:
        assert detect_format(source).name == "generic"
    finally:
        source.close()


def test_a_sniff_failure_alone_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    failing = _failing(OSError("unreadable"))
    monkeypatch.setattr("amparo.ingest.registry.IMPORTERS", {failing.name: failing})
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x01")
    source = open_source(p)
    try:
        with pytest.raises(ImportRejected, match="unknown format"):
            detect_format(source)
    finally:
        source.close()


def test_other_errors_in_a_sniff_are_not_hidden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failing = _failing(RuntimeError("a bug"))
    monkeypatch.setitem(IMPORTERS, failing.name, failing)
    p = tmp_path / "rows.csv"
    p.write_text("text\nhola\n", encoding="utf-8")
    source = open_source(p)
    try:
        with pytest.raises(RuntimeError, match="a bug"):
            detect_format(source)
    finally:
        source.close()


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Fixture folders an importer may claim; every other folder's files must score 0 for it.
OWN_FIXTURES = {"facebook": ("facebook", "instagram"), "instagram": ("facebook", "instagram")}
# Fixture folders that are not message exports at all (OONI measurements, read by
# `amparo censorship`): no importer is tested against them.
NOT_MESSAGES = {"ooni"}
FOREIGN = [
    (name, path)
    for name in sorted(IMPORTERS)
    for folder in sorted(FIXTURES.iterdir())
    if folder.is_dir() and folder.name not in OWN_FIXTURES.get(name, (name,))
    and folder.name not in NOT_MESSAGES
    for path in sorted(folder.iterdir())
]


@pytest.mark.parametrize(
    ("name", "path"), FOREIGN,
    ids=[f"{n}-{p.parent.name}/{p.name}" for n, p in FOREIGN],
)
def test_no_importer_claims_another_formats_fixtures(name: str, path: Path) -> None:
    source = open_source(path)
    try:
        assert IMPORTERS[name].sniff(source) == 0.0
    finally:
        source.close()
