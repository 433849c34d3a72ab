"""The Mastodon importer: recognising an account archive or API JSON, and reading it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from amparo.domain import (
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.mastodon.api import Reader
from amparo.ingest.mastodon.posts import PLATFORM
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text

NOTIFICATION_TYPES = (
    "mention", "status", "reblog", "favourite", "follow", "follow_request", "poll", "update",
    "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning", "quote",
    "quoted_update",
)


class MastodonImporter(Importer):
    name: ClassVar[str] = "mastodon"
    platform: ClassVar[Platform] = PLATFORM
    description: ClassVar[str] = (
        "Mastodon account archive (outbox.json, folder or zip) or Mastodon API JSON "
        "(statuses, notifications)"
    )

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        outboxes = [m for m in members if PurePosixPath(m).name == "outbox.json"]
        for member in outboxes[:2]:
            if _looks_like_collection(head_text(source, member, 2048)):
                return 0.95
        if outboxes and any(PurePosixPath(m).name == "actor.json" for m in members):
            return 0.8
        if len(members) != 1 or not members[0].lower().endswith(".json"):
            return 0.0
        head = head_text(source, members[0], 8192).lstrip("\ufeff \t\r\n")
        if head.startswith("{") and _looks_like_collection(head):
            return 0.9 if '"Create"' in head or '"Announce"' in head else 0.0
        if head.startswith("{") and re.match(r'\{\s*"(ancestors|descendants)"\s*:', head):
            return 0.9 if '"account"' in head else 0.0
        if head.startswith("{") and _has_keys(head, "content", "account", "created_at"):
            return 0.9 if _has_keys(head, "visibility") else 0.0
        if not head.startswith("["):
            return 0.0
        if _has_keys(head, "content", "account", "created_at") and (
            _has_keys(head, "visibility") or _has_keys(head, "spoiler_text")
        ):
            return 0.9
        types = "|".join(re.escape(t) for t in NOTIFICATION_TYPES)
        if _has_keys(head, "account", "created_at") and re.search(
            rf'"type"\s*:\s*"(?:{types})"', head
        ) and _has_keys(head, "acct"):
            return 0.9
        return 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        yield from Reader(source, options).parse()


def _has_keys(head: str, *keys: str) -> bool:
    return all(re.search(rf'"{re.escape(k)}"\s*:', head) for k in keys)


def _looks_like_collection(head: str) -> bool:
    return bool(
        re.search(r'"type"\s*:\s*"OrderedCollection"', head)
        and (_has_keys(head, "orderedItems") or "activitystreams" in head)
    )

