"""Importers: read exports and feeds into `ParsedMessage`s. One module, or a package of small
modules, per source format; helpers shared between formats (`htmltext`, `jsonvalues`,
`textio`, `timeparse`) sit beside them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from amparo.domain import ParsedMessage, RecordError
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import Source, SourceLimits, open_source

__all__ = ["ImportOptions", "ImportRejected", "Importer", "Source", "SourceLimits", "read_path"]


@contextmanager
def read_path(
    path: Path,
    fmt: str = "auto",
    options: ImportOptions | None = None,
    limits: SourceLimits | None = None,
) -> Iterator[tuple[type[Importer], Source, Iterator[ParsedMessage | RecordError]]]:
    """Open `path`, choose its importer (by content unless `fmt` names one) and stream it."""
    from amparo.ingest.registry import detect_format, get_importer

    source = open_source(path, limits)
    try:
        cls = detect_format(source) if fmt == "auto" else get_importer(fmt)
        yield cls, source, cls().parse(source, options or ImportOptions())
    finally:
        source.close()
