"""Telegram Desktop "machine-readable JSON" exports (`result.json`).

Two layouts share the message format:

- a single chat (Chat > Export chat history): top-level `name`, `type`, `id`, `messages`;
- the whole account (Settings > Advanced > Export Telegram data): `personal_information`,
  `chats.list[*].messages` and `left_chats.list[*].messages`.

The export comes as a bare `result.json` or as its folder (or a zip of it) with `photos/`,
`files/`, `voice_messages/` ... next to it; media present there are linked to the message.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

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
from amparo.ingest.jsonvalues import scalar_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text, load_json
from amparo.ingest.timeparse import from_epoch, parse_iso

CHAT_TYPES = frozenset({
    "personal_chat", "bot_chat", "private_group", "private_supergroup", "public_supergroup",
    "private_channel", "public_channel", "saved_messages", "replies",
})

# Placeholders Telegram writes instead of a path when a file was not exported.
_NOT_INCLUDED = ("(File not included", "(File exceeds maximum size", "(File unavailable")

_MEDIA_MIME = {"photo": "image/jpeg", "sticker": "image/webp"}

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
            yield from _Export(source, member, data, members).messages()


class _Export:
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
        info = data.get("personal_information")
        if isinstance(info, dict) and info.get("user_id") is not None:
            self.owner = str(info["user_id"])

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
            return (ParsedAccount(Platform.TELEGRAM, owner_key),)
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


class _BadRecord(Exception):
    pass



def _join(a: str, b: str) -> str:
    return f"{a}\n{b}" if a and b else a or b


def _parse_time(value: Any, *, unix: bool) -> datetime:
    if unix:
        return from_epoch(str(value))
    return parse_iso(str(value))


def _timestamp(msg: dict[str, Any]) -> datetime:
    """`date_unixtime` (an instant, UTC) when given; else `date`, local time without zone."""
    raw_unix = msg.get("date_unixtime")
    if raw_unix not in (None, ""):
        try:
            return from_epoch(str(raw_unix))
        except (ValueError, OverflowError, OSError):
            raise _BadRecord(f"unreadable date_unixtime {raw_unix!r}") from None
    raw = msg.get("date")
    if raw in (None, ""):
        raise _BadRecord("no date")
    try:
        return parse_iso(str(raw))
    except ValueError:
        raise _BadRecord(f"unreadable date {raw!r}") from None


def _account(name: Any, from_id: Any, extra: dict[str, Any]) -> ParsedAccount | None:
    """Account key is `from_id` (`user123`); a deleted account keeps its id but loses its
    name (`"from": null`); old exports without `from_id` only give the name."""
    key = scalar_str(from_id)
    display = scalar_str(name)
    if key is None and display is None:
        extra["author_deleted"] = True
        return None
    if display is None:
        extra["author_deleted"] = True
    return ParsedAccount(Platform.TELEGRAM, key or display or "", display_name=display)


def _render_text(msg: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """Plain text as the reader saw it, plus the links and mentions it carried."""
    raw = msg.get("text")
    if raw in (None, "", []) and isinstance(msg.get("text_entities"), list):
        raw = msg["text_entities"]
    if raw is None:
        return "", [], []
    if isinstance(raw, str):
        return raw, [], []
    if not isinstance(raw, list):
        return str(raw), [], []
    parts: list[str] = []
    links: list[str] = []
    mentions: list[str] = []
    for part in raw:
        if isinstance(part, str):
            parts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        piece = str(part.get("text") or "")
        kind = part.get("type")
        parts.append(piece)
        if kind in ("link", "email") and piece:
            links.append(piece)
        elif kind == "text_link" and part.get("href"):
            links.append(str(part["href"]))
        elif kind == "mention" and piece:
            mentions.append(piece)
        elif kind == "mention_name":
            uid = part.get("user_id")
            mentions.append(f"user{uid}" if uid is not None else piece)
    return "".join(parts), links, mentions


def _render_poll(poll: dict[str, Any]) -> str:
    lines = [f"Poll: {poll.get('question') or ''}".rstrip()]
    for ans in poll.get("answers") or []:
        if isinstance(ans, dict):
            votes = ans.get("voters")
            plural = "" if votes == 1 else "s"
            suffix = f" ({votes} vote{plural})" if isinstance(votes, int) else ""
            lines.append(f"- {ans.get('text') or ''}{suffix}")
    return "\n".join(lines)


_SERVICE_TEXT = {
    "create_group": "created the group",
    "create_channel": "created the channel",
    "join_group_by_link": "joined the group by invite link",
    "join_group_by_request": "joined the group after a request",
    "invite_members": "invited",
    "remove_members": "removed",
    "pin_message": "pinned a message",
    "phone_call": "phone call",
    "group_call": "group call",
    "edit_group_title": "changed the group name",
    "edit_group_photo": "changed the group photo",
    "delete_group_photo": "deleted the group photo",
    "migrate_to_supergroup": "converted the group to a supergroup",
    "migrate_from_group": "converted from a basic group",
    "clear_history": "cleared the history",
    "set_messages_ttl": "changed auto-delete",
    "contact_sign_up": "joined Telegram",
    "screenshot_taken": "took a screenshot",
}


def _describe_service(msg: dict[str, Any], action: str, text: str) -> str:
    actor = scalar_str(msg.get("actor")) or "(deleted account)"
    phrase = _SERVICE_TEXT.get(action, action.replace("_", " "))
    words = [actor, phrase]
    members = msg.get("members")
    if isinstance(members, list) and members:
        words.append(", ".join(str(m) if m is not None else "(deleted account)" for m in members))
    if msg.get("title"):
        words.append(f"«{msg['title']}»")
    if msg.get("message_id") is not None:
        words.append(f"#{msg['message_id']}")
    if isinstance(msg.get("duration_seconds"), int):
        words.append(f"({msg['duration_seconds']} s)")
    if msg.get("discard_reason"):
        words.append(f"[{msg['discard_reason']}]")
    return _join(" ".join(words), text)
