"""Telegram Desktop "machine-readable JSON" exports (`result.json`).

Two layouts share the message format:

- a single chat (Chat > Export chat history): top-level `name`, `type`, `id`, `messages`;
- the whole account (Settings > Advanced > Export Telegram data): `personal_information`,
  `chats.list[*].messages` and `left_chats.list[*].messages`.

The export comes as a bare `result.json` or as its folder (or a zip of it) with `photos/`,
`files/`, `voice_messages/` ... next to it; media present there are linked to the message.
"""

from __future__ import annotations

from amparo.ingest.telegram.importer import CHAT_TYPES, TelegramImporter

__all__ = ["CHAT_TYPES", "TelegramImporter"]
