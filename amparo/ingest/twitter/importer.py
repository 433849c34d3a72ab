"""The X/Twitter importer: recognising an archive (or one of its data files) and reading it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from amparo.domain import (
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text
from amparo.ingest.twitter.files import (
    _WRAPPER_RE,
    _YTD_KINDS,
    PLATFORM,
    file_kind,
)
from amparo.ingest.twitter.reader import Reader


class TwitterImporter(Importer):
    name: ClassVar[str] = "twitter"
    platform: ClassVar[Platform] = PLATFORM
    description: ClassVar[str] = (
        "X/Twitter account archive (folder or zip) or one of its data/*.js files"
    )

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        if len(members) == 1:
            member = members[0]
            head = head_text(source, member, 512)
            m = _WRAPPER_RE.match(head)
            if m:
                return 0.95 if m.group(2).lower() in _YTD_KINDS else 0.3
            if member.lower().endswith(".js") and file_kind(member):
                return 0.7  # a data file that lost its wrapper: parse explains what is wrong
            return 0.0
        known = [m for m in members if file_kind(m) and m.lower().endswith(".js")]
        if not known:
            return 0.0
        for member in known[:4]:
            if _WRAPPER_RE.match(head_text(source, member, 512)):
                return 0.95
        return 0.6

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        run = Reader(source, options)
        yield from run.parse()
