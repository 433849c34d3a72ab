"""Message threads of a Meta export (``message_<n>.json``) and the attachments they link."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    RecordError,
)
from amparo.ingest.base import Importer
from amparo.ingest.meta.layout import (
    _MEDIA_KEYS,
    _NOTICE_RE,
    _SYSTEM_TYPES,
    MESSAGE_RE,
)
from amparo.ingest.sources import Source
from amparo.ingest.timeparse import from_epoch


class ThreadReader(Importer):
    """Reads message threads; `_members` is the source's member set during a parse."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[str] = set()
    # ------------------------------------------------------------------ messages

    def _account(self, name: Any) -> ParsedAccount | None:
        if not isinstance(name, str) or not name:
            return None
        return ParsedAccount(self.platform, name, display_name=name)

    def _thread(
        self, source: Source, member: str, doc: Any
    ) -> Iterator[ParsedMessage | RecordError]:
        if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
            yield RecordError(member, "$", "not a message thread: no 'messages' list")
            return
        names = [
            p["name"] for p in doc.get("participants") or []
            if isinstance(p, dict) and isinstance(p.get("name"), str)
        ]
        thread_path = doc.get("thread_path")
        match = MESSAGE_RE.search(member.lower())
        folder = PurePosixPath(member).parent.name if match else None
        key = thread_path if isinstance(thread_path, str) and thread_path else folder
        title = doc.get("title") if isinstance(doc.get("title"), str) else None
        for i, msg in enumerate(doc["messages"]):
            where = f"$.messages[{i}]"
            if not isinstance(msg, dict):
                yield RecordError(member, where, "not a JSON object")
                continue
            try:
                timestamp = from_epoch(msg["timestamp_ms"])
            except KeyError:
                yield RecordError(member, where, "no timestamp_ms")
                continue
            except (TypeError, ValueError, OverflowError, OSError):
                yield RecordError(member, where, f"unreadable timestamp {msg['timestamp_ms']!r}")
                continue
            sender = msg.get("sender_name")
            content = msg.get("content")
            text = content if isinstance(content, str) else ""
            extra: dict[str, Any] = {}
            mtype = msg.get("type")
            if isinstance(mtype, str):
                extra["type"] = mtype
            share = msg.get("share")
            if isinstance(share, dict):
                extra["share"] = share
                for shown in (share.get("link"), share.get("share_text")):
                    if isinstance(shown, str) and shown and shown not in text:
                        text = f"{text}\n{shown}" if text else shown
            if msg.get("is_unsent"):
                extra["unsent"] = True
            reactions = [
                {"reaction": r.get("reaction"), "actor": r.get("actor")}
                for r in msg.get("reactions") or []
                if isinstance(r, dict)
            ]
            if reactions:
                extra["reactions"] = reactions
            if "call_duration" in msg:
                extra["call_duration"] = msg["call_duration"]
            users = [u.get("name") for u in msg.get("users") or [] if isinstance(u, dict)]
            if users:
                extra["users"] = users
            yield ParsedMessage(
                platform=self.platform,
                timestamp=timestamp,
                text=text,
                locator=Locator(member=member, json_path=where),
                author=self._account(sender),
                kind=(
                    MessageKind.SYSTEM
                    if mtype in _SYSTEM_TYPES or _NOTICE_RE.match(text)
                    else MessageKind.USER
                ),
                conversation_key=key,
                conversation_title=title,
                recipients=tuple(
                    a for n in names if n != sender and (a := self._account(n)) is not None
                ),
                attachments=self._attachments(source, member, msg),
                extra=extra,
            )

    def _attachments(
        self, source: Source, member: str, msg: dict[str, Any]
    ) -> tuple[Attachment, ...]:
        found: list[Attachment] = []
        items: list[Any] = []
        for key in _MEDIA_KEYS:
            value = msg.get(key)
            if isinstance(value, list):
                items.extend(value)
        if isinstance(msg.get("sticker"), dict):
            items.append(msg["sticker"])
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("uri"), str) and item["uri"]:
                found.append(self._attachment(source, member, item["uri"]))
        return tuple(found)

    def _attachment(self, source: Source, member: str, uri: str) -> Attachment:
        name = PurePosixPath(uri).name or uri
        mime = mimetypes.guess_type(name)[0]
        linked = self._find_member(member, uri)
        size = None
        if linked is not None:
            try:
                size = source.size(linked)
            except (OSError, KeyError):
                size = None
        return Attachment(name=name, mime_type=mime, size=size, member=linked)

    def _find_member(self, member: str, uri: str) -> str | None:
        """The archive member a uri names. Uris are relative to the export's root, which may
        sit under a top folder of the zip, and older uris omit the newer layouts' prefix."""
        if uri.startswith(("http://", "https://")):
            return None
        uri = uri.lstrip("/")
        if uri in self._members:
            return uri
        parts = PurePosixPath(member).parts[:-1]
        for i in range(len(parts), 0, -1):
            candidate = "/".join((*parts[:i], uri))
            if candidate in self._members:
                return candidate
        return None
