"""Turns parsed messages into rows, in batches, inside the caller's transaction.

This is the hot path of an import (a million messages must store in well under a minute), so
rows are plain dicts inserted with one executemany per batch, JSON is serialised only when a
field is non-empty, and accounts, conversations and time-zone conversions are cached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from amparo.domain import MessageKind, ParsedMessage
from amparo.store.dialect import insert_ignoring_conflicts
from amparo.store.identities import Accounts, Conversations
from amparo.store.tables import Message

BATCH = 5000


class MessageWriter:
    def __init__(
        self,
        session: Session,
        defender_id: int,
        zone: tzinfo | None,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.session = session
        self.defender_id = defender_id
        self.zone = zone
        self.on_batch = on_batch
        self.user_messages = 0
        self.system_messages = 0
        self.per_item: dict[int, int] = {}
        self._rows: list[dict[str, Any]] = []
        self._accounts = Accounts(session)
        self._conversations = Conversations(session, defender_id)
        # Importing the same or an overlapping export twice adds nothing.
        self._insert = insert_ignoring_conflicts(session, Message, ("defender_id",
                                                                     "fingerprint"))
        self._last_naive: datetime | None = None
        self._last_resolved: tuple[datetime, int | None] = (datetime.min.replace(tzinfo=UTC), None)
        self._occurrence_ts: datetime | None = None
        self._occurrences: dict[str, int] = {}

    # -- lookups -----------------------------------------------------------------------------

    def resolve_time(self, ts: datetime) -> tuple[datetime, int | None, bool]:
        """(UTC instant, original offset in minutes or None, whether the zone was assumed)."""
        if ts.tzinfo is not None:
            offset = ts.utcoffset()
            minutes = int(offset.total_seconds() // 60) if offset is not None else None
            return ts.astimezone(UTC), minutes, False
        if ts == self._last_naive:
            return self._last_resolved[0], self._last_resolved[1], True
        if self.zone is None:
            resolved: tuple[datetime, int | None] = (ts.replace(tzinfo=UTC), None)
        else:
            local = ts.replace(tzinfo=self.zone)
            offset = local.utcoffset()
            minutes = int(offset.total_seconds() // 60) if offset is not None else None
            resolved = (local.astimezone(UTC), minutes)
        self._last_naive, self._last_resolved = ts, resolved
        return resolved[0], resolved[1], True

    def fingerprint(self, msg: ParsedMessage, author: str, ts_iso: str) -> str:
        """Identity of a message across re-imports: its platform id where it has one, else its
        content and time, with a counter for identical messages in the same instant."""
        conv = msg.conversation_key or ""
        if msg.source_id:
            basis = f"{msg.platform}\x1f{conv}\x1fid\x1f{msg.source_id}"
        else:
            basis = f"{msg.platform}\x1f{conv}\x1f{author}\x1f{ts_iso}\x1f{msg.kind}\x1f{msg.text}"
            if msg.timestamp != self._occurrence_ts:
                self._occurrence_ts = msg.timestamp
                self._occurrences.clear()
            n = self._occurrences.get(basis, 0)
            self._occurrences[basis] = n + 1
            if n:
                basis += f"\x1f#{n}"
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    # -- writing -----------------------------------------------------------------------------

    def add(self, msg: ParsedMessage, evidence_item_id: int) -> None:
        author = self._accounts.want(msg.author) if msg.author is not None else None
        conversation = (self._conversations.want(msg.platform.value, msg.conversation_key,
                                                 msg.conversation_title)
                        if msg.conversation_key is not None else None)
        if msg.timestamp is None:
            ts_utc, offset, assumed = None, None, False
            ts_iso = ""
        else:
            ts_utc, offset, assumed = self.resolve_time(msg.timestamp)
            ts_iso = ts_utc.isoformat()
        recipients = [self._accounts.want(r) for r in msg.recipients]
        self._rows.append({
            "defender_id": self.defender_id,
            "evidence_item_id": evidence_item_id,
            "conversation_id": conversation,  # keys until flush() resolves them to ids
            "author_id": author,
            "platform": msg.platform.value,
            "kind": msg.kind.value,
            "source_id": msg.source_id,
            "ts_utc": ts_utc,
            "utc_offset_min": offset,
            "tz_assumed": assumed,
            "text": msg.text,
            "language": None,
            "reply_to": msg.reply_to,
            "forwarded_from": msg.forwarded_from,
            "recipients": recipients or None,
            "attachments": _json([a.to_dict() for a in msg.attachments]),
            "locator": json.dumps(msg.locator.to_dict(), ensure_ascii=False),
            "extra": _json(msg.extra),
            "fingerprint": self.fingerprint(
                msg, msg.author.key if msg.author else "", ts_iso
            ),
        })
        if msg.kind is MessageKind.USER:
            self.user_messages += 1
        else:
            self.system_messages += 1
        self.per_item[evidence_item_id] = self.per_item.get(evidence_item_id, 0) + 1
        if len(self._rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        self._accounts.resolve()
        self._conversations.resolve()
        accounts, conversations = self._accounts.ids, self._conversations.ids
        for row in self._rows:
            if row["author_id"] is not None:
                row["author_id"] = accounts[row["author_id"]]
            if row["conversation_id"] is not None:
                row["conversation_id"] = conversations[row["conversation_id"]]
            if row["recipients"] is not None:
                row["recipients"] = json.dumps([accounts[k] for k in row["recipients"]])
        self.session.execute(self._insert, self._rows)
        done = len(self._rows)
        self._rows = []
        if self.on_batch is not None:
            self.on_batch(done)


def _json(value: Any) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)
