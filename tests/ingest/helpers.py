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


MIXED = {
    "WhatsApp Chat with Ana.txt": "whatsapp/Conversa do WhatsApp com +55 11 91234-5678.txt",
    "result.json": "telegram/result.json",
    "statuses.json": "mastodon/statuses.json",
    "threat.eml": "email/threat_utf8.eml",
}
MIXED_FORMATS = {"WhatsApp Chat with Ana.txt": "whatsapp", "result.json": "telegram",
                 "statuses.json": "mastodon", "threat.eml": "email"}


def mixed_folder(parent: Path, name: str = "from Ana") -> Path:
    """A folder as a defender might hand it over: a WhatsApp chat, a Telegram chat, a Mastodon
    API dump and an email side by side (real fixture files)."""
    import shutil

    folder = parent / name
    folder.mkdir(parents=True)
    for target, fixture in MIXED.items():
        shutil.copyfile(FIXTURES / fixture, folder / target)
    return folder
