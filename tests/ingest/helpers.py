"""Shared helpers for importer tests."""

from __future__ import annotations

from pathlib import Path

from amparo.domain import MessageKind, ParsedMessage, RecordError
from amparo.ingest import ImportOptions, read_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def parse(
    path: Path, fmt: str = "auto", options: ImportOptions | None = None
) -> tuple[str, list[ParsedMessage], list[RecordError]]:
    """Parse a file fully; returns (format chosen, messages, record errors)."""
    with read_path(path, fmt, options) as (cls, _source, stream):
        items = list(stream)
    messages = [i for i in items if isinstance(i, ParsedMessage)]
    errors = [i for i in items if isinstance(i, RecordError)]
    return cls.name, messages, errors


def user_messages(messages: list[ParsedMessage]) -> list[ParsedMessage]:
    return [m for m in messages if m.kind is MessageKind.USER]
