"""The Telegram importer: finding `result.json` and recognising it by its keys."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import ClassVar

from amparo.domain import (
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import Source
from amparo.ingest.telegram.export import Export
from amparo.ingest.textio import head_text, load_json

CHAT_TYPES = frozenset({
    "personal_chat", "bot_chat", "private_group", "private_supergroup", "public_supergroup",
    "private_channel", "public_channel", "saved_messages", "replies",
})

_RE_UNIXTIME = re.compile(r'"(?:date|edited)_unixtime"\s*:\s*"\d+"')
_RE_FROM_ID = re.compile(r'"(?:from|actor)_id"\s*:\s*"(?:user|channel|chat)\d+"')
_RE_CHAT_TYPE = re.compile(r'"type"\s*:\s*"(' + "|".join(sorted(CHAT_TYPES)) + r')"')
_RE_MSG_TYPE = re.compile(r'"type"\s*:\s*"(?:message|service)"')
_RE_KEY = re.compile(r'"(messages|personal_information|chats|left_chats|about)"\s*:')


def _candidates(source: Source) -> list[str]:
    """`result.json` members (at the top or up to two folders down); else a lone JSON file."""
    members = source.members()
    found = [
        m for m in members
        if posixpath.basename(m).lower() == "result.json" and m.count("/") <= 2
    ]
    if found:
        return found
    jsons = [m for m in members if m.lower().endswith(".json")]
    return jsons if len(jsons) == 1 else []


def _score_head(head: str) -> float:
    text = head.lstrip()
    if not text.startswith("{"):
        return 0.0
    keys = set(_RE_KEY.findall(text))
    full = "personal_information" in keys and ("about" in keys or "chats" in keys)
    markers = sum(
        bool(rx.search(text)) for rx in (_RE_UNIXTIME, _RE_FROM_ID, _RE_CHAT_TYPE)
    )
    if full:
        return 0.95
    if "messages" in keys and markers >= 2:
        return 0.95
    if "messages" in keys and markers == 1 and _RE_MSG_TYPE.search(text):
        return 0.9
    if "chats" in keys and markers >= 1:
        return 0.85
    return 0.0


class TelegramImporter(Importer):
    name: ClassVar[str] = "telegram"
    platform: ClassVar[Platform] = Platform.TELEGRAM
    description: ClassVar[str] = (
        "Telegram Desktop JSON export (result.json): one chat or the whole account"
    )

    @classmethod
    def sniff(cls, source: Source) -> float:
        best = 0.0
        for member in _candidates(source)[:4]:
            best = max(best, _score_head(head_text(source, member, 16384)))
        return best

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        candidates = _candidates(source)
        if not candidates:
            raise ImportRejected(source.name, "no result.json found in the Telegram export")
        members = set(source.members())
        for member in candidates:
            data = load_json(source, member)
            yield from Export(source, member, data, members).messages()
