"""DiscordChatExporter JSON: one file per channel (`guild`, `channel`, `messages[*]`).

A folder or zip may hold several channel files, and with `--media` a `<file>_Files/` folder
beside each one holding the downloaded attachments; attachment `url`s are then relative paths,
which are linked to those members.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import as_dict, scalar_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text, load_json
from amparo.ingest.timeparse import parse_iso

# Message types people write; everything else (joins, pins, calls, renames, thread
# creation, recipient changes) is a platform event.
USER_TYPES = frozenset({"Default", "Reply"})

_RE_KEY = re.compile(
    r'"(guild|channel|messages|dateRange|exportedAt|timestampEdited|isBot|discriminator)"\s*:'
)
_RE_CHANNEL_TYPE = re.compile(
    r'"type"\s*:\s*"(?:Guild\w+|Direct\w+|DirectGroupTextChat|DirectTextChat)"'
)


def _score_head(head: str) -> float:
    text = head.lstrip()
    if not text.startswith("{"):
        return 0.0
    keys = set(_RE_KEY.findall(text))
    if not {"guild", "channel"} <= keys:
        return 0.0
    if "messages" in keys or keys & {"dateRange", "exportedAt"}:
        return 0.95
    return 0.6 if _RE_CHANNEL_TYPE.search(text) else 0.0


def _json_members(source: Source) -> list[str]:
    # Attachments downloaded with --media live in "<export>.json_Files/"; never parse those.
    return [
        m for m in source.members()
        if m.lower().endswith(".json") and "_Files/" not in m
    ]


class DiscordImporter(Importer):
    name: ClassVar[str] = "discord"
    platform: ClassVar[Platform] = Platform.DISCORD
    description: ClassVar[str] = "DiscordChatExporter JSON, one file per channel"

    @classmethod
    def sniff(cls, source: Source) -> float:
        best = 0.0
        for member in _json_members(source)[:5]:
            best = max(best, _score_head(head_text(source, member)))
        return best

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        candidates = _json_members(source)
        single = len(candidates) == 1
        chosen = [
            m for m in candidates
            if single or _score_head(head_text(source, m)) >= 0.9
        ]
        if not chosen:
            raise ImportRejected(source.name, "no DiscordChatExporter JSON file found")
        members = set(source.members())
        for member in chosen:
            yield from _parse_channel(source, member, members)


def _parse_channel(
    source: Source, member: str, members: set[str]
) -> Iterator[ParsedMessage | RecordError]:
    label = source.label(member)
    data = load_json(source, member)
    if not isinstance(data, dict):
        raise ImportRejected(label, "not a DiscordChatExporter export: not a JSON object",
                             where="$")
    msgs = data.get("messages")
    if not isinstance(msgs, list):
        raise ImportRejected(label, "'messages' is missing or not a list", where="$.messages")
    guild = as_dict(data.get("guild"))
    channel = as_dict(data.get("channel"))
    channel_key = scalar_str(channel.get("id"))
    title = _title(guild, channel)
    base = posixpath.dirname(member)
    for i, msg in enumerate(msgs):
        path = f"$.messages[{i}]"
        if not isinstance(msg, dict):
            yield RecordError(member, path, "message is not a JSON object")
            continue
        raw_ts = msg.get("timestamp")
        if raw_ts in (None, ""):
            yield RecordError(member, path, "no timestamp")
            continue
        try:
            timestamp = parse_iso(str(raw_ts))
        except ValueError:
            yield RecordError(member, path, f"unreadable timestamp {raw_ts!r}")
            continue
        mtype = scalar_str(msg.get("type")) or "Default"
        kind = MessageKind.USER if mtype in USER_TYPES else MessageKind.SYSTEM
        extra: dict[str, Any] = {"type": mtype}
        if guild.get("name"):
            extra["guild"] = guild["name"]
        edited = msg.get("timestampEdited")
        if edited:
            extra["edited"] = str(edited)
        if msg.get("isPinned"):
            extra["pinned"] = True

        author = _account(msg.get("author"))
        if isinstance(msg.get("author"), dict) and msg["author"].get("isBot"):
            extra["author_is_bot"] = True

        mentions = tuple(
            acc for acc in (_account(m) for m in msg.get("mentions") or []) if acc is not None
        )
        text = str(msg.get("content") or "")
        embeds = [e for e in msg.get("embeds") or [] if isinstance(e, dict)]
        if embeds:
            extra["embeds"] = [
                {k: e[k] for k in ("title", "url", "description") if e.get(k)} for e in embeds
            ]
            if not text:
                text = "\n".join(
                    str(e.get(k)) for e in embeds for k in ("title", "description") if e.get(k)
                )
        if not text and kind is MessageKind.SYSTEM:
            text = mtype
        for key in ("stickers", "reactions"):
            items = msg.get(key)
            if items:
                extra[key] = items

        reply_to = None
        ref = msg.get("reference")
        if isinstance(ref, dict) and ref.get("messageId"):
            if kind is MessageKind.USER:
                reply_to = str(ref["messageId"])
            else:
                extra["reference"] = str(ref["messageId"])
            if ref.get("channelId") and str(ref["channelId"]) != channel_key:
                extra["reference_channel"] = str(ref["channelId"])

        attachments, urls = _attachments(msg.get("attachments"), base, members)
        if urls:
            extra["attachment_urls"] = urls

        yield ParsedMessage(
            platform=Platform.DISCORD,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=author,
            kind=kind,
            source_id=scalar_str(msg.get("id")),
            conversation_key=channel_key,
            conversation_title=title,
            recipients=mentions,
            reply_to=reply_to,
            attachments=attachments,
            extra=extra,
        )


def _title(guild: dict[str, Any], channel: dict[str, Any]) -> str | None:
    name = scalar_str(channel.get("name"))
    gname = scalar_str(guild.get("name"))
    ctype = str(channel.get("type") or "")
    if ctype.startswith("Direct") or gname == "Direct Messages":
        return name
    parts = [p for p in (gname, scalar_str(channel.get("category"))) if p]
    if name:
        parts.append(f"#{name}")
    return " / ".join(parts) or None


def _account(raw: Any) -> ParsedAccount | None:
    if not isinstance(raw, dict):
        return None
    key = scalar_str(raw.get("id"))
    name = scalar_str(raw.get("name"))
    disc = scalar_str(raw.get("discriminator"))
    handle = name
    if name and disc and disc.strip("0"):
        handle = f"{name}#{disc}"  # legacy user tag; "0000" means the new unique usernames
    display = scalar_str(raw.get("nickname")) or name
    if not (key or handle):
        return None
    return ParsedAccount(Platform.DISCORD, key or handle or "", handle=handle,
                         display_name=display)


def _attachments(
    raw: Any, base: str, members: set[str]
) -> tuple[tuple[Attachment, ...], list[str]]:
    out: list[Attachment] = []
    urls: list[str] = []
    for att in raw or []:
        if not isinstance(att, dict):
            continue
        url = scalar_str(att.get("url"))
        size = att.get("fileSizeBytes")
        member = _local_member(url, base, members) if url else None
        if url and member is None:
            urls.append(url)
        out.append(Attachment(
            name=scalar_str(att.get("fileName")),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            member=member,
        ))
    return tuple(out), urls


def _local_member(url: str, base: str, members: set[str]) -> str | None:
    """The member a relative `url` (written by `--media`) points to, if it is in the source."""
    if urlsplit(url).scheme in ("http", "https"):
        return None
    rel = unquote(url).replace("\\", "/")
    candidate = posixpath.normpath(posixpath.join(base, rel)) if base else posixpath.normpath(rel)
    if candidate in members:
        return candidate
    # Absolute paths from the exporting machine: match on the "<export>_Files/<name>" tail.
    tail = "/".join(rel.split("/")[-2:])
    for m in members:
        if m.endswith(tail) and "_Files/" in m:
            return m
    return None


