"""Reading one Telegram message's fields: dates, accounts, formatted text with its links and
mentions, polls, and the wording of service messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amparo.domain import (
    ParsedAccount,
    Platform,
)
from amparo.ingest.jsonvalues import scalar_str
from amparo.ingest.timeparse import from_epoch, parse_iso


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
