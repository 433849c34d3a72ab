"""Plain-language rendering of stored records for the terminal (the --json forms stay exact)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any


def offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def time_text(msg: dict[str, Any]) -> str:
    if not msg["timestamp_utc"]:
        return "unknown (the export gives no time)"
    utc = datetime.fromisoformat(msg["timestamp_utc"])
    text = f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    offset = msg["utc_offset_minutes"]
    if offset is not None:
        local = utc + timedelta(minutes=offset)
        text += f" ({local:%Y-%m-%d %H:%M:%S} local, {offset_text(offset)}"
        text += ", zone assumed)" if msg["time_zone_assumed"] else ")"
    elif msg["time_zone_assumed"]:
        text += " (zone assumed)"
    return text


def locator_text(loc: dict[str, Any]) -> str:
    """Where a message sits in its original, in words: `chat.txt, lines 12–14`."""
    parts = [loc["member"]] if loc.get("member") else []
    start, end = loc.get("line_start"), loc.get("line_end")
    if start is not None:
        parts.append(f"lines {start}–{end}" if end not in (None, start) else f"line {start}")
    if loc.get("json_path"):
        parts.append(f"at {loc['json_path']}")
    if loc.get("byte_start") is not None:
        parts.append(f"bytes {loc['byte_start']}–{loc.get('byte_end')}")
    return ", ".join(parts) or "the whole item"


def attachment_text(att: dict[str, Any]) -> str:
    details = [att[k] for k in ("mime_type",) if att.get(k)]
    if att.get("size") is not None:
        details.append(f"{att['size']:,} bytes")
    if att.get("omitted"):
        details.append("left out of the export")
    name = att.get("name") or att.get("member") or "unnamed"
    return name + (f" ({', '.join(details)})" if details else "")


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def message_fields(msg: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of `get_message` as (label, text) pairs, empty ones left out."""
    author = msg["author"] or ""
    if msg["author_key"] and msg["author_key"] != author:
        author += f" (account {msg['author_key']})"
    others = [n for n in msg["author_names"] if n != msg["author"]]
    if others:
        author += f"; also named {', '.join(others)}"
    evidence = f"item {msg['evidence_item_id']}"
    if msg.get("evidence_name"):
        evidence += f", {msg['evidence_name']}"
    fields = [
        ("message", f"{msg['id']} ({msg['platform']}, {msg['kind']}), defender "
                    f"{msg['defender_id']}"),
        ("time", time_text(msg)),
        ("author", author),
        ("conversation", msg["conversation"] or ""),
        ("source id", msg["source_id"] or ""),
        ("reply to", msg["reply_to"] or ""),
        ("forwarded from", msg["forwarded_from"] or ""),
        *(("attachment", attachment_text(a)) for a in msg["attachments"]),
        ("evidence", evidence),
        ("sha256", msg.get("evidence_sha256") or ""),
        ("found at", locator_text(msg["locator"])),
        *((f"extra {k}", _value(v)) for k, v in msg["extra"].items()),
    ]
    return [(label, text) for label, text in fields if text]
