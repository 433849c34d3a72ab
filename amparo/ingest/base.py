"""The importer interface. One module per source format implements it; `registry.py` lists
them. Importers only read and normalise: they never judge content and never touch storage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from amparo.domain import ParsedMessage, Platform, RecordError
from amparo.ingest.sources import Source


@dataclass(frozen=True)
class ImportOptions:
    """What a caseworker can tell an importer that the file itself does not say.

    `encoding` overrides the detected text encoding; `day_first` settles an ambiguous
    day/month order; `column_map` maps generic CSV/JSONL column names to Amparo's fields
    (`text`, `timestamp`, `author`, `id`, ...).
    """

    encoding: str | None = None
    day_first: bool | None = None
    column_map: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assumption:
    """Something an importer had to decide that the export does not say outright (the day/month
    order of a WhatsApp chat), reported with the import so a caseworker can correct it."""

    file: str  # as named to people: `source.label(member)`
    topic: str  # "date_order"
    value: str  # "day/month/year"
    basis: str  # "inferred" (read from the file), "given" (by the caseworker), "assumed"
    detail: str  # why, in words


class Importer(ABC):
    """Reads one source format. Subclasses set `name` (the `--format` value), `platform` and
    a one-line `description`, and implement `sniff` and `parse`. An instance reads one source;
    `parse` appends to `assumptions` what it had to decide on its own."""

    name: ClassVar[str]
    platform: ClassVar[Platform]
    description: ClassVar[str]

    def __init__(self) -> None:
        self.assumptions: list[Assumption] = []

    @classmethod
    @abstractmethod
    def sniff(cls, source: Source) -> float:
        """Confidence in [0, 1] that the source is in this format, judged from content.
        Must be cheap: read only the heads of a few members."""

    @abstractmethod
    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        """Stream the messages in the source. A record that cannot be read is yielded as a
        `RecordError` and skipped; a source that cannot be read at all raises
        `ImportRejected`. Memory must stay flat in the size of streamed text formats."""
