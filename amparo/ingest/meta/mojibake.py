"""Undoing the mojibake in Meta exports (UTF-8 bytes written as Latin-1 code points)."""

from __future__ import annotations

from typing import Any


def repair_mojibake(text: str) -> str:
    """Undo Meta's encoding: UTF-8 bytes written as Latin-1 code points.

    The round trip is applied only when it succeeds: text with a character above U+00FF was
    not mangled this way, and text whose bytes are not valid UTF-8 was genuine Latin-1.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair_tree(value: Any) -> Any:
    """`repair_mojibake` applied to every string (keys too) of a loaded JSON document."""
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [repair_tree(v) for v in value]
    if isinstance(value, dict):
        return {repair_mojibake(k): repair_tree(v) for k, v in value.items()}
    return value
