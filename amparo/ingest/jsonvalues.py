"""Reading values out of loaded JSON, where any key may be missing or hold the wrong type."""

from __future__ import annotations

from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """The value if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    """The value as text; None for null or the empty string."""
    if value is None or value == "":
        return None
    return str(value)


def scalar_str(value: Any) -> str | None:
    """Like `opt_str`, but an object or list (where a scalar was expected) also gives None."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)
