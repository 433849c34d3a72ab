"""WhatsApp chat exports: the `.txt` from "Export chat", alone or in the `.zip` with media.

WhatsApp writes one line per message start, with a layout that depends on the phone:

- Android: `12/03/2024, 21:15 - Ana Souza: text` (system events have no `Name: `);
- iOS: `[12/03/2024, 21:15:07] Ana Souza: text`, system events and attachments marked with an
  invisible U+200E, a U+202F before AM/PM, phone numbers wrapped in U+202A/U+202C.

The date and clock follow the phone's locale and settings (every layout is in `headers`).
Day/month order is not written anywhere, so it is inferred from the whole file in a cheap
first pass (a first field over 12 means day first, a second field over 12 means month first;
year-first dates are never ambiguous); when every date is ambiguous, `ImportOptions.day_first`
decides, else day first is assumed and every message says so in
`extra["date_order_assumed"]`. Lines that do not start with a header continue the previous
message; lines end at LF, CRLF or a lone CR. Times are local with no zone, so timestamps are
naive.

Parsing streams (two passes over `iter_lines`), with one precompiled header regex and the
numeric fields converted by hand, cached per distinct timestamp text.
"""

from __future__ import annotations

from amparo.ingest.whatsapp.importer import WhatsAppImporter, chat_title

__all__ = ["WhatsAppImporter", "chat_title"]
