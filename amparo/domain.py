"""Pure domain types shared by every layer. No I/O here.

Importers produce `ParsedMessage` objects; the store turns them into rows. Keeping these
types free of database and file concerns lets detectors and importers be tested in isolation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Kinds of private data a defender's watchlist can hold (the CLI's help lists them too).
WATCH_KINDS = (
    "address", "phone", "email", "name", "relative", "school", "workplace", "vehicle",
    "id_number", "other",
)


class Platform(enum.StrEnum):
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    MASTODON = "mastodon"
    EMAIL = "email"
    DISCORD = "discord"
    SLACK = "slack"
    GENERIC = "generic"


class MessageKind(enum.StrEnum):
    """`USER` is something a person wrote; `SYSTEM` is an event the platform generated
    (encryption notices, joins, pins, calls). Only user messages are analysed for abuse."""

    USER = "user"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Locator:
    """Where a message sits inside its original evidence item, so it can be shown in context.

    `member` is the path inside an archive (or None for a single file). `line_start`/`line_end`
    are 1-based inclusive line numbers for text formats; `json_path` a JSONPath-like address
    (`$.messages[12]`) for JSON formats; `byte_start`/`byte_end` a byte range for mbox.
    """

    member: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    json_path: str | None = None
    byte_start: int | None = None
    byte_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Locator:
        return cls(**data)

    def __str__(self) -> str:
        where = self.member or ""
        if self.line_start is not None:
            end = f"-{self.line_end}" if self.line_end not in (None, self.line_start) else ""
            where += f":{self.line_start}{end}"
        if self.json_path:
            where += f"#{self.json_path}"
        if self.byte_start is not None:
            where += f"@{self.byte_start}-{self.byte_end}"
        return where or "(whole item)"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with a message. `omitted` is true when the export left it out
    (WhatsApp's "<Media omitted>"); `member` names it inside the archive when present."""

    name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    member: str | None = None
    omitted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in self.__slots__
            if getattr(self, k) not in (None, False)
        }


@dataclass(frozen=True, slots=True)
class ParsedAccount:
    """An account as seen in an export. `key` is the most stable identifier the platform gives
    (a numeric user id, else the handle, else the display name)."""

    platform: Platform
    key: str
    handle: str | None = None
    display_name: str | None = None


@dataclass(slots=True)
class ParsedMessage:
    """One message, post, comment or email as an importer read it.

    `timestamp` is timezone-aware when the source says its offset; a naive datetime means
    "local time of the export, zone unknown" and the import service resolves it with the
    time zone the caseworker gives (or the defender's).
    """

    platform: Platform
    timestamp: datetime | None
    text: str
    locator: Locator
    author: ParsedAccount | None = None
    kind: MessageKind = MessageKind.USER
    source_id: str | None = None
    conversation_key: str | None = None
    conversation_title: str | None = None
    recipients: tuple[ParsedAccount, ...] = ()
    reply_to: str | None = None
    forwarded_from: str | None = None
    attachments: tuple[Attachment, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record an importer could not read. It is reported and skipped; the original bytes
    stay in the vault, so nothing is lost."""

    member: str | None
    where: str
    message: str

    def __str__(self) -> str:
        prefix = f"{self.member}: " if self.member else ""
        return f"{prefix}{self.where}: {self.message}"
