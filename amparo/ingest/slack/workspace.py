"""One Slack workspace: its users and conversations, and reading day files of messages with
Slack's markup made readable."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from amparo.ingest.jsonvalues import as_dict, scalar_str
from amparo.ingest.slack.layout import (
    _CONVERSATION_FILES,
)
from amparo.ingest.sources import Source
from amparo.ingest.textio import load_json
from amparo.ingest.timeparse import from_epoch

# Subtypes that are platform events, not something a person wrote.
SYSTEM_SUBTYPES = frozenset({
    "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
    "channel_archive", "channel_unarchive", "channel_convert_to_private",
    "channel_convert_to_public", "group_join", "group_leave", "group_topic", "group_purpose",
    "group_name", "group_archive", "group_unarchive", "pinned_item", "unpinned_item",
    "bot_add", "bot_remove", "bot_enable", "bot_disable", "sh_room_created", "huddle_thread",
    "reminder_add", "tombstone", "joiner_notification", "slackbot_response",
    "channel_canvas_updated",
})

_RE_MARKUP = re.compile(r"<([^<>\n]*)>")


@dataclass
class _Conversation:
    key: str
    title: str
    kind: str
    members: tuple[str, ...] = ()


@dataclass
class _Workspace:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, _Conversation] = field(default_factory=dict)  # by folder name
    channel_names: dict[str, str] = field(default_factory=dict)  # id -> name

    @classmethod
    def load(cls, source: Source, root: str, names: set[str]) -> _Workspace:
        ws = cls()
        prefix = f"{root}/" if root else ""
        if "users.json" in names:
            for i, user in enumerate(_list(source, prefix + "users.json")):
                if isinstance(user, dict) and user.get("id"):
                    ws.users[str(user["id"])] = user
                elif not isinstance(user, dict):
                    raise ImportRejected(
                        source.label(prefix + "users.json"), "user is not a JSON object",
                        where=f"$[{i}]",
                    )
        for fname, kind in _CONVERSATION_FILES.items():
            if fname not in names:
                continue
            for i, conv in enumerate(_list(source, prefix + fname)):
                if not isinstance(conv, dict) or not conv.get("id"):
                    raise ImportRejected(
                        source.label(prefix + fname), "conversation without an id",
                        where=f"$[{i}]",
                    )
                cid = str(conv["id"])
                name = str(conv.get("name") or cid)
                members = tuple(str(u) for u in conv.get("members") or [])
                if kind == "dm":
                    title = "DM: " + ", ".join(ws.display(u) for u in members)
                    folder = cid
                elif kind == "group_dm":
                    title = "Group DM: " + ", ".join(ws.display(u) for u in members)
                    folder = name
                else:
                    title = f"#{name}"
                    folder = name
                    ws.channel_names[cid] = name
                ws.conversations[folder] = _Conversation(cid, title, kind, members)
        return ws

    def display(self, user_id: str) -> str:
        user = self.users.get(user_id)
        if not user:
            return user_id
        return _user_display(user) or user_id

    def account(self, user_id: str, profile: Any = None) -> ParsedAccount:
        user = self.users.get(user_id)
        if user is None and isinstance(profile, dict):
            user = {"name": profile.get("name"), "profile": profile}
        handle = scalar_str(user.get("name")) if user else None
        return ParsedAccount(
            Platform.SLACK, user_id, handle=handle,
            display_name=_user_display(user) if user else None,
        )

    def day(
        self, source: Source, member: str, folder: str, members: set[str]
    ) -> Iterator[ParsedMessage | RecordError]:
        label = source.label(member)
        data = load_json(source, member)
        if not isinstance(data, list):
            raise ImportRejected(label, "a Slack day file must hold a JSON list of messages",
                                 where="$")
        conv = self.conversations.get(folder) or _Conversation(folder, f"#{folder}", "channel")
        for i, msg in enumerate(data):
            path = f"$[{i}]"
            if not isinstance(msg, dict):
                yield RecordError(member, path, "message is not a JSON object")
                continue
            try:
                yield self._message(msg, member, path, conv, members)
            except _BadRecord as exc:
                yield RecordError(member, path, str(exc))

    def _message(
        self, msg: dict[str, Any], member: str, path: str, conv: _Conversation,
        members: set[str],
    ) -> ParsedMessage:
        ts = scalar_str(msg.get("ts"))
        if ts is None:
            raise _BadRecord("no ts (timestamp)")
        try:
            timestamp = _ts_datetime(ts)
        except (ValueError, OverflowError, OSError):
            raise _BadRecord(f"unreadable ts {ts!r}") from None
        subtype = scalar_str(msg.get("subtype"))
        kind = MessageKind.SYSTEM if subtype in SYSTEM_SUBTYPES else MessageKind.USER
        if msg.get("type") not in (None, "message"):
            kind = MessageKind.SYSTEM
        extra: dict[str, Any] = {"conversation_type": conv.kind}
        if subtype:
            extra["subtype"] = subtype

        author = self._author(msg, extra)
        raw_text = msg.get("text")
        raw = raw_text if isinstance(raw_text, str) else ""
        text, mentioned = self.render(raw)
        extra["raw_text"] = raw
        if not text and isinstance(msg.get("attachments"), list):
            text = "\n".join(
                str(a.get("fallback") or a.get("text") or "")
                for a in msg["attachments"] if isinstance(a, dict)
            ).strip()

        recipients: list[ParsedAccount] = []
        seen = {author.key} if author else set()
        candidates = list(mentioned)
        if conv.kind in ("dm", "group_dm"):
            candidates += list(conv.members)
        for uid in candidates:
            if uid not in seen:
                seen.add(uid)
                recipients.append(self.account(uid))

        thread_ts = scalar_str(msg.get("thread_ts"))
        reply_to = thread_ts if thread_ts and thread_ts != ts else None
        if thread_ts and thread_ts == ts and msg.get("reply_count"):
            extra["reply_count"] = msg["reply_count"]
        edited = msg.get("edited")
        if isinstance(edited, dict) and edited.get("ts"):
            try:
                extra["edited"] = _ts_datetime(str(edited["ts"])).isoformat()
            except (ValueError, OverflowError, OSError):
                extra["edited"] = str(edited["ts"])
        if msg.get("reactions"):
            extra["reactions"] = msg["reactions"]

        return ParsedMessage(
            platform=Platform.SLACK,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=author,
            kind=kind,
            source_id=ts,
            conversation_key=conv.key,
            conversation_title=conv.title,
            recipients=tuple(recipients),
            reply_to=reply_to,
            attachments=_files(msg.get("files"), members, extra),
            extra=extra,
        )

    def _author(self, msg: dict[str, Any], extra: dict[str, Any]) -> ParsedAccount | None:
        user = scalar_str(msg.get("user"))
        if msg.get("subtype") == "bot_message" or (user is None and msg.get("bot_id")):
            extra["bot"] = True
            bot_id = scalar_str(msg.get("bot_id"))
            profile = as_dict(msg.get("bot_profile"))
            name = scalar_str(msg.get("username")) or scalar_str(profile.get("name"))
            if user is None:
                key = bot_id or name
                return ParsedAccount(Platform.SLACK, key, display_name=name) if key else None
        if user is None:
            return None
        return self.account(user, msg.get("user_profile"))

    def render(self, raw: str) -> tuple[str, list[str]]:
        """Readable text from Slack markup, and the user ids it mentions."""
        mentioned: list[str] = []

        def repl(match: re.Match[str]) -> str:
            body = match.group(1)
            target, _, label = body.partition("|")
            if target.startswith("@"):
                uid = target[1:]
                mentioned.append(uid)
                name = label or (self.display(uid) if uid in self.users else uid)
                return "@" + name.lstrip("@")
            if target.startswith("#"):
                cid = target[1:]
                return "#" + (label or self.channel_names.get(cid, cid))
            if target.startswith("!"):
                special = target[1:]
                if label:
                    return label
                if special.startswith("subteam^"):
                    return "@" + special.split("^", 1)[1]
                return "@" + special.split("^", 1)[0]
            if target.startswith("mailto:"):
                return label or target[len("mailto:"):]
            if not label or label == target or label in target:
                return target
            return f"{label} ({target})"

        text = _RE_MARKUP.sub(repl, raw)
        return html.unescape(text), mentioned


class _BadRecord(Exception):
    pass


def _files(raw: Any, members: set[str], extra: dict[str, Any]) -> tuple[Attachment, ...]:
    out: list[Attachment] = []
    links: list[str] = []
    for f in raw or []:
        if not isinstance(f, dict):
            continue
        fid = scalar_str(f.get("id")) or ""
        name = scalar_str(f.get("name")) or scalar_str(f.get("title"))
        size = f.get("size")
        member = None
        if name and fid:
            for cand in (f"__uploads/{fid}/{name}", f"attachments/{fid}-{name}"):
                member = next((m for m in members if m == cand or m.endswith("/" + cand)), None)
                if member:
                    break
        if f.get("permalink"):
            links.append(str(f["permalink"]))
        out.append(Attachment(
            name=name,
            mime_type=scalar_str(f.get("mimetype")),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            member=member,
            omitted=member is None,
        ))
        if f.get("mode") in ("tombstone", "hidden_by_limit"):
            extra.setdefault("file_modes", []).append(f["mode"])
    if links:
        extra["file_links"] = links
    return tuple(out)


def _ts_datetime(ts: str) -> datetime:
    """Slack's `ts` ("1710456090.000003") exactly, without float rounding of microseconds."""
    secs, dot, frac = ts.strip().partition(".")
    if not secs.isdigit() or (dot and not frac.isdigit()):
        return from_epoch(ts)  # raises ValueError for text that is not a number
    micro = int(frac[:6].ljust(6, "0")) if frac else 0
    return datetime.fromtimestamp(int(secs), tz=UTC) + timedelta(microseconds=micro)


def _list(source: Source, member: str) -> list[Any]:
    data = load_json(source, member)
    if not isinstance(data, list):
        raise ImportRejected(source.label(member), "expected a JSON list", where="$")
    return data


def _user_display(user: dict[str, Any]) -> str | None:
    profile = as_dict(user.get("profile"))
    return (
        scalar_str(profile.get("display_name")) or scalar_str(profile.get("real_name"))
        or scalar_str(user.get("real_name")) or scalar_str(user.get("name"))
    )
