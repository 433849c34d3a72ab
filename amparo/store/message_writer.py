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

from sqlalchemy import Insert, Table, select
from sqlalchemy.orm import Session

from amparo.domain import MessageKind, ParsedAccount, ParsedMessage
from amparo.store.tables import Account, Conversation, Message

BATCH = 5000


def insert_ignoring_duplicates(session: Session) -> Insert:
    """INSERT that silently skips messages already stored (same defender and fingerprint):
    importing the same or an overlapping export twice adds nothing."""
    table = Message.__table__
    assert isinstance(table, Table)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(
            index_elements=["defender_id", "fingerprint"]
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(
        index_elements=["defender_id", "fingerprint"]
    )


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
        self._accounts: dict[tuple[str, str], int] = {}
        self._names: dict[int, set[str]] = {}
        self._conversations: dict[tuple[str, str], int] = {}
        self._insert = insert_ignoring_duplicates(session)
        self._last_naive: datetime | None = None
        self._last_resolved: tuple[datetime, int | None] = (datetime.min.replace(tzinfo=UTC), None)
        self._occurrence_ts: datetime | None = None
        self._occurrences: dict[str, int] = {}

    # -- lookups -----------------------------------------------------------------------------

    def account_id(self, acc: ParsedAccount) -> int:
        cache_key = (acc.platform.value, acc.key)
        acc_id = self._accounts.get(cache_key)
        if acc_id is None:
            row = self.session.execute(
                select(Account).where(Account.platform == cache_key[0], Account.key == acc.key)
            ).scalar_one_or_none()
            if row is None:
                row = Account(platform=cache_key[0], key=acc.key, handle=acc.handle,
                              display_names="[]")
                self.session.add(row)
                self.session.flush()
            acc_id = row.id
            self._accounts[cache_key] = acc_id
            self._names[acc_id] = set(json.loads(row.display_names))
        names = self._names[acc_id]
        if acc.display_name and acc.display_name not in names:
            names.add(acc.display_name)
            account = self.session.get(Account, acc_id)
            assert account is not None
            account.display_names = json.dumps(sorted(names), ensure_ascii=False)
        return acc_id

    def conversation_id(self, msg: ParsedMessage) -> int | None:
        if msg.conversation_key is None:
            return None
        cache_key = (msg.platform.value, msg.conversation_key)
        conv_id = self._conversations.get(cache_key)
        if conv_id is None:
            row = self.session.execute(
                select(Conversation).where(
                    Conversation.defender_id == self.defender_id,
                    Conversation.platform == cache_key[0],
                    Conversation.key == msg.conversation_key,
                )
            ).scalar_one_or_none()
            if row is None:
                row = Conversation(defender_id=self.defender_id, platform=cache_key[0],
                                   key=msg.conversation_key, title=msg.conversation_title)
                self.session.add(row)
                self.session.flush()
            conv_id = row.id
            self._conversations[cache_key] = conv_id
        return conv_id

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
        author_id = self.account_id(msg.author) if msg.author is not None else None
        if msg.timestamp is None:
            ts_utc, offset, assumed = None, None, False
            ts_iso = ""
        else:
            ts_utc, offset, assumed = self.resolve_time(msg.timestamp)
            ts_iso = ts_utc.isoformat()
        recipients = [self.account_id(r) for r in msg.recipients]
        self._rows.append({
            "defender_id": self.defender_id,
            "evidence_item_id": evidence_item_id,
            "conversation_id": self.conversation_id(msg),
            "author_id": author_id,
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
            "recipients": json.dumps(recipients) if recipients else None,
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
        self.session.execute(self._insert, self._rows)
        done = len(self._rows)
        self._rows = []
        if self.on_batch is not None:
            self.on_batch(done)


def _json(value: Any) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)
