"""Timestamp parsing shared by importers. Aware results carry the source's own offset, which
the store keeps beside the UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime


def from_epoch(value: float | int | str) -> datetime:
    """Epoch seconds, or milliseconds when the number is too large to be seconds."""
    number = float(value)
    if abs(number) > 1e11:  # later than year 5138 in seconds: must be milliseconds
        number /= 1000.0
    return datetime.fromtimestamp(number, tz=UTC)


def parse_iso(value: str) -> datetime:
    """ISO 8601 with `Z` or an offset, or naive (local time, zone unknown)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def parse_any(value: str) -> datetime:
    """Epoch numbers or ISO 8601 text; raises ValueError otherwise."""
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    try:
        return from_epoch(float(text))
    except ValueError:
        return parse_iso(text)
