"""Turns parsed messages into rows, in batches, inside the caller's transaction.

This is the hot path of an import (a million messages must store in well under a minute).
Rows are tuples in the database's own form, inserted with one driver-level executemany per
batch: SQLAlchemy's per-row parameter processing cost more than SQLite's insert itself. The two
columns that need conversion (the UTC time and the assumed-zone flag) go through the column
types' own bind processors, once per distinct time. Accounts, conversations and time-zone
conversions are cached; JSON is serialised only when a field is non-empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from amparo.domain import Locator, MessageKind, ParsedMessage
from amparo.store.dialect import insert_ignoring_conflicts_sql
from amparo.store.identities import Accounts, Conversations, Key
from amparo.store.tables import Message

BATCH = 5000

# The insert's columns, in the order of a row tuple.
COLUMNS = (
    "defender_id", "evidence_item_id", "conversation_id", "author_id", "platform", "kind",
    "source_id", "ts_utc", "utc_offset_min", "tz_assumed", "text", "language", "reply_to",
    "forwarded_from", "recipients", "attachments", "locator", "extra", "fingerprint",
)
_CONVERSATION, _AUTHOR, _RECIPIENTS = (COLUMNS.index(c) for c in
                                       ("conversation_id", "author_id", "recipients"))
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds one per call
_ENCODE_ANY = json.JSONEncoder(ensure_ascii=False, default=str).encode
_LOCATOR_INTS = ("line_start", "line_end")


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
        # Rows whose conversation, author or recipients were new when added: lists whose keys
        # flush() replaces by ids. Every other row is a finished tuple.
        self._rows: list[tuple[Any, ...] | list[Any]] = []
        self._pending: list[int] = []
        self._accounts = Accounts(session)
        self._conversations = Conversations(session, defender_id)
        bind = session.get_bind()
        dialect = bind.dialect
        # Importing the same or an overlapping export twice adds nothing.
        self._sql = insert_ignoring_conflicts_sql(dialect, Message, COLUMNS,
                                                  ("defender_id", "fingerprint"))
        table = Message.__table__
        ts_bind = table.c.ts_utc.type.dialect_impl(dialect).bind_processor(dialect)
        flag_bind = table.c.tz_assumed.type.dialect_impl(dialect).bind_processor(dialect)
        self._ts_bind: Callable[[datetime], Any] = ts_bind or (lambda v: v)
        self._flag = {b: flag_bind(b) if flag_bind else b for b in (True, False)}
        self._last_naive: datetime | None = None
        self._last_resolved: tuple[datetime, int | None, Any, str] = (
            datetime.min.replace(tzinfo=UTC), None, None, "")
        self._occurrence_ts: datetime | None = None
        self._occurrences: dict[str, int] = {}
        self._member_json: dict[str, str] = {}

    # -- lookups -----------------------------------------------------------------------------

    def resolve_time(self, ts: datetime) -> tuple[datetime, int | None, bool]:
        """(UTC instant, original offset in minutes or None, whether the zone was assumed)."""
        utc, minutes, _, _, assumed = self._time(ts)
        return utc, minutes, assumed

    def _time(self, ts: datetime) -> tuple[datetime, int | None, Any, str, bool]:
        """resolve_time's answer plus the column's stored value and the ISO text of the UTC
        instant; naive times are cached (a chat has many messages per minute)."""
        if ts.tzinfo is not None:
            offset = ts.utcoffset()
            minutes = int(offset.total_seconds() // 60) if offset is not None else None
            utc = ts.astimezone(UTC)
            return utc, minutes, self._ts_bind(utc), utc.isoformat(), False
        if ts != self._last_naive:
            if self.zone is None:
                utc, minutes = ts.replace(tzinfo=UTC), None
            else:
                local = ts.replace(tzinfo=self.zone)
                offset = local.utcoffset()
                minutes = int(offset.total_seconds() // 60) if offset is not None else None
                utc = local.astimezone(UTC)
            self._last_naive = ts
            self._last_resolved = (utc, minutes, self._ts_bind(utc), utc.isoformat())
        utc, minutes, stored, iso = self._last_resolved
        return utc, minutes, stored, iso, True

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

    def locator_json(self, loc: Locator) -> str:
        """`json.dumps(loc.to_dict(), ensure_ascii=False)`, built directly for the common
        text-format locator (an archive member and line numbers): one per stored row."""
        if loc.json_path is not None or loc.byte_start is not None or loc.byte_end is not None \
                or type(loc.line_start) is not int or type(loc.line_end) is not int:
            return _ENCODE(loc.to_dict())
        lines = f'"line_start": {loc.line_start}, "line_end": {loc.line_end}}}'
        if loc.member is None:
            return "{" + lines
        member = self._member_json.get(loc.member)
        if member is None:
            member = self._member_json[loc.member] = '{"member": ' + _ENCODE(loc.member) + ", "
        return member + lines

    # -- writing -----------------------------------------------------------------------------

    def add(self, msg: ParsedMessage, evidence_item_id: int) -> None:
        pending = False
        author_key: Key | None = None
        author_id: int | None = None
        if msg.author is not None:
            author_key = self._accounts.want(msg.author)
            author_id = self._accounts.ids.get(author_key)
            pending = author_id is None
        conversation_key: Key | None = None
        conversation_id: int | None = None
        if msg.conversation_key is not None:
            conversation_key = self._conversations.want(str(msg.platform), msg.conversation_key,
                                                        msg.conversation_title)
            conversation_id = self._conversations.ids.get(conversation_key)
            pending = pending or conversation_id is None
        recipients: str | list[Key] | None = None
        if msg.recipients:
            keys = [self._accounts.want(r) for r in msg.recipients]
            ids = [self._accounts.ids.get(k) for k in keys]
            if None in ids:
                recipients, pending = keys, True
            else:
                recipients = _ENCODE(ids)
        if msg.timestamp is None:
            ts_stored, offset, assumed, ts_iso = None, None, False, ""
        else:
            _, offset, ts_stored, ts_iso, assumed = self._time(msg.timestamp)
        row = (
            self.defender_id,
            evidence_item_id,
            conversation_key if conversation_id is None else conversation_id,
            author_key if author_id is None else author_id,
            str(msg.platform),
            str(msg.kind),
            msg.source_id,
            ts_stored,
            offset,
            self._flag[assumed],
            msg.text,
            None,  # language
            msg.reply_to,
            msg.forwarded_from,
            recipients,
            _ENCODE_ANY([a.to_dict() for a in msg.attachments]) if msg.attachments else None,
            self.locator_json(msg.locator),
            _ENCODE_ANY(msg.extra) if msg.extra else None,
            self.fingerprint(msg, msg.author.key if msg.author else "", ts_iso),
        )
        if pending:
            self._pending.append(len(self._rows))
            self._rows.append(list(row))
        else:
            self._rows.append(row)
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
        rows = self._rows
        for i in self._pending:
            row = rows[i]
            assert isinstance(row, list)
            if isinstance(row[_CONVERSATION], tuple):
                row[_CONVERSATION] = conversations[row[_CONVERSATION]]
            if isinstance(row[_AUTHOR], tuple):
                row[_AUTHOR] = accounts[row[_AUTHOR]]
            if isinstance(row[_RECIPIENTS], list):
                row[_RECIPIENTS] = _ENCODE([accounts[k] for k in row[_RECIPIENTS]])
            rows[i] = tuple(row)
        self.session.connection().exec_driver_sql(self._sql, rows)
        done = len(rows)
        self._rows = []
        self._pending = []
        if self.on_batch is not None:
            self.on_batch(done)
