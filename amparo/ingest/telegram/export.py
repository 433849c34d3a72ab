"""Reading a Telegram export's chats and messages, and linking the media files beside it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import scalar_str
from amparo.ingest.sources import Source
from amparo.ingest.telegram.fields import (
    _account,
    _BadRecord,
    _describe_service,
    _join,
    _parse_time,
    _render_poll,
    _render_text,
    _timestamp,
)

# Placeholders Telegram writes instead of a path when a file was not exported.
_NOT_INCLUDED = ("(File not included", "(File exceeds maximum size", "(File unavailable")

_MEDIA_MIME = {"photo": "image/jpeg", "sticker": "image/webp"}


class Export:
    """One loaded `result.json`: a single chat or a whole account."""

    def __init__(self, source: Source, member: str, data: Any, members: set[str]) -> None:
        self.label = source.label(member)
        self.member = member
        self.base = posixpath.dirname(member)
        self.members = members
        if not isinstance(data, dict):
            raise ImportRejected(
                self.label, "not a Telegram export: the top level is not a JSON object",
                where="$",
            )
        self.data = data
        self.owner: str | None = None
        self.owner_name: str | None = None
        info = data.get("personal_information")
        if isinstance(info, dict) and info.get("user_id") is not None:
            self.owner = str(info["user_id"])
            # Named like a sender (`from` is "First Last"), so the owner reads as a name
            # wherever they are only a recipient.
            parts = (scalar_str(info.get(k)) for k in ("first_name", "last_name"))
            self.owner_name = " ".join(p for p in parts if p) or None

    def messages(self) -> Iterator[ParsedMessage | RecordError]:
        data = self.data
        if "messages" in data:
            yield from self._chat(data, "$")
            return
        sections = [k for k in ("chats", "left_chats") if k in data]
        if not sections:
            raise ImportRejected(
                self.label,
                "not a Telegram export: neither 'messages' nor 'chats' at the top level",
                where="$",
            )
        for key in sections:
            section = data[key]
            chats = section.get("list") if isinstance(section, dict) else None
            if not isinstance(chats, list):
                raise ImportRejected(
                    self.label, "expected an object with a 'list' of chats", where=f"$.{key}"
                )
            for i, chat in enumerate(chats):
                path = f"$.{key}.list[{i}]"
                if not isinstance(chat, dict):
                    yield RecordError(self.member, path, "chat is not a JSON object")
                    continue
                yield from self._chat(chat, path)

    def _chat(self, chat: dict[str, Any], path: str) -> Iterator[ParsedMessage | RecordError]:
        msgs = chat.get("messages")
        if not isinstance(msgs, list):
            if path == "$":
                raise ImportRejected(
                    self.label, "'messages' is not a list", where="$.messages"
                )
            yield RecordError(self.member, path, "chat has no 'messages' list")
            return
        chat_id = scalar_str(chat.get("id"))
        title = scalar_str(chat.get("name"))
        chat_type = scalar_str(chat.get("type"))
        for i, msg in enumerate(msgs):
            mpath = f"{path}.messages[{i}]" if path != "$" else f"$.messages[{i}]"
            if not isinstance(msg, dict):
                yield RecordError(self.member, mpath, "message is not a JSON object")
                continue
            try:
                yield self._message(msg, mpath, chat_id, title, chat_type)
            except _BadRecord as exc:
                yield RecordError(self.member, mpath, str(exc))

    def _message(
        self,
        msg: dict[str, Any],
        path: str,
        chat_id: str | None,
        title: str | None,
        chat_type: str | None,
    ) -> ParsedMessage:
        timestamp = _timestamp(msg)
        is_service = msg.get("type") == "service"
        text, links, mentions = _render_text(msg)
        extra: dict[str, Any] = {}
        if chat_type:
            extra["chat_type"] = chat_type
        if links:
            extra["links"] = links
        if mentions:
            extra["mentions"] = mentions

        if is_service:
            author = _account(msg.get("actor"), msg.get("actor_id"), extra)
            action = scalar_str(msg.get("action")) or "unknown"
            extra["action"] = action
            for key in ("title", "members", "message_id", "duration_seconds",
                        "discard_reason", "inviter", "reason_domain"):
                if key in msg:
                    extra[key] = msg[key]
            text = _describe_service(msg, action, text)
        else:
            author = _account(msg.get("from"), msg.get("from_id"), extra)

        edited = msg.get("edited_unixtime") or msg.get("edited")
        if edited:
            try:
                extra["edited"] = _parse_time(edited, unix="edited_unixtime" in msg).isoformat()
            except (ValueError, OverflowError, OSError):
                extra["edited"] = str(edited)
        for key in ("via_bot", "author", "saved_from", "reply_to_peer_id", "sticker_emoji",
                    "location_information", "contact_information", "place_name", "address"):
            if msg.get(key) not in (None, ""):
                extra[key] = msg[key]

        poll = msg.get("poll")
        if isinstance(poll, dict):
            text = _join(text, _render_poll(poll))
            extra["poll"] = poll

        attachments = self._attachments(msg, extra)
        forwarded = scalar_str(msg.get("forwarded_from"))
        if forwarded is None and "forwarded_from" in msg:
            forwarded = "(hidden or deleted account)"

        return ParsedMessage(
            platform=Platform.TELEGRAM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=self.member, json_path=path),
            author=author,
            kind=MessageKind.SYSTEM if is_service else MessageKind.USER,
            source_id=scalar_str(msg.get("id")),
            conversation_key=chat_id,
            conversation_title=title,
            recipients=self._recipients(author, chat_id, title, chat_type),
            reply_to=scalar_str(msg.get("reply_to_message_id")),
            forwarded_from=forwarded,
            attachments=attachments,
            extra=extra,
        )

    def _recipients(
        self,
        author: ParsedAccount | None,
        chat_id: str | None,
        title: str | None,
        chat_type: str | None,
    ) -> tuple[ParsedAccount, ...]:
        """In a one-to-one chat of a full-account export both parties are known."""
        if chat_type != "personal_chat" or self.owner is None or chat_id is None:
            return ()
        if author is None:
            return ()
        owner_key = f"user{self.owner}"
        if author.key == owner_key:
            return (ParsedAccount(Platform.TELEGRAM, f"user{chat_id}", display_name=title),)
        if author.key == f"user{chat_id}":
            return (ParsedAccount(Platform.TELEGRAM, owner_key, display_name=self.owner_name),)
        return ()

    def _attachments(self, msg: dict[str, Any], extra: dict[str, Any]) -> tuple[Attachment, ...]:
        out: list[Attachment] = []
        if "photo" in msg:
            out.append(self._attachment(
                msg["photo"], None, _MEDIA_MIME["photo"], msg.get("photo_file_size")
            ))
        if "file" in msg:
            media_type = scalar_str(msg.get("media_type"))
            if media_type:
                extra["media_type"] = media_type
            mime = scalar_str(msg.get("mime_type")) or _MEDIA_MIME.get(media_type or "")
            out.append(self._attachment(
                msg["file"], scalar_str(msg.get("file_name")), mime, msg.get("file_size")
            ))
        return tuple(out)

    def _attachment(
        self, value: Any, file_name: str | None, mime: str | None, size: Any
    ) -> Attachment:
        path = scalar_str(value)
        size_int = size if isinstance(size, int) and not isinstance(size, bool) else None
        if path is None or path.startswith(_NOT_INCLUDED):
            return Attachment(name=file_name, mime_type=mime, size=size_int, omitted=True)
        rel = path.replace("\\", "/")
        name = file_name or posixpath.basename(rel)
        full = posixpath.normpath(posixpath.join(self.base, rel)) if self.base else rel
        member = full if full in self.members else None
        return Attachment(name=name, mime_type=mime, size=size_int, member=member)
