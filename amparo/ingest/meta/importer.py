"""The Facebook and Instagram importers: one parser, two platforms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from amparo.domain import (
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.meta.activity import ActivityReader
from amparo.ingest.meta.layout import (
    _head_kind,
    _member_kind,
    classify,
)
from amparo.ingest.meta.mojibake import repair_tree
from amparo.ingest.sources import FileSource, Source
from amparo.ingest.textio import load_json


class _MetaImporter(ActivityReader):
    """Shared parser; subclasses only name the platform."""

    @classmethod
    def sniff(cls, source: Source) -> float:
        score, platform = classify(source)
        if score == 0.0:
            return 0.0
        if platform is None:  # ambiguous: Facebook is the more common, Instagram next
            return score if cls.platform is Platform.FACEBOOK else score - 0.1
        return score if platform is cls.platform else 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        members = source.members()
        self._members = set(members)
        single = isinstance(source, FileSource)
        # In an export, files are found by their paths; loose files are judged by content.
        by_path = any(_member_kind(m) is not None for m in members)
        found = False
        for member in members:
            kind = _member_kind(member)
            if kind is None and (by_path or not member.lower().endswith(".json")) and not single:
                continue
            if kind is None:
                kind = _head_kind(source.head(member, 16384))
                if kind is None and single:
                    raise ImportRejected(
                        source.label(member),
                        f"not a {self.platform.value.title()} export file: no messages, "
                        "comments or posts found",
                    )
                if kind is None:
                    continue
            found = True
            doc = repair_tree(load_json(source, member))
            if kind == "messages":
                yield from self._thread(source, member, doc)
            elif kind == "comments":
                yield from self._comments(source, member, doc)
            else:
                yield from self._posts(source, member, doc)
        if not found:
            raise ImportRejected(
                source.name,
                f"no {self.platform.value.title()} messages, comments or posts found",
            )


class FacebookImporter(_MetaImporter):
    name: ClassVar[str] = "facebook"
    platform: ClassVar[Platform] = Platform.FACEBOOK
    description: ClassVar[str] = (
        "Facebook 'Download your information' JSON: Messenger threads, comments, posts"
    )


class InstagramImporter(_MetaImporter):
    name: ClassVar[str] = "instagram"
    platform: ClassVar[Platform] = Platform.INSTAGRAM
    description: ClassVar[str] = (
        "Instagram 'Download your information' JSON: direct messages, comments, posts"
    )
