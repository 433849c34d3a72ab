"""Accounts and conversations met during an import, resolved to row ids in bulk: one query
per batch instead of one per new sender or thread (an mbox has a thread per e-mail)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amparo.domain import ParsedAccount
from amparo.store.dialect import insert_ignoring_conflicts
from amparo.store.tables import Account, Conversation

CHUNK = 500
Key = tuple[str, str]  # (platform, platform key)
_NAMES_SHOWN = 3


def account_label(handle: str | None, display_names: str | list[str], key: str) -> str:
    """How an account is shown to a person: its handle (``@name``, an e-mail address), else
    the names it was seen under (``display_names``, a list or its stored JSON), else its key.

    The key stays the stable identity (a Telegram ``user123`` id survives renames); it is
    shown only when nothing readable is known, as for a deleted Telegram account. An account
    renamed many times shows its first few names and how many more it had.
    """
    if handle:
        return handle
    names = json.loads(display_names) if isinstance(display_names, str) else display_names
    if not names:
        return key
    shown = " / ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown


def _by_platform(keys: Iterable[Key]) -> Iterator[tuple[str, list[str]]]:
    """(platform, up to CHUNK keys) groups for IN lookups."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, key in keys:
        grouped[platform].append(key)
    for platform, all_keys in grouped.items():
        for i in range(0, len(all_keys), CHUNK):
            yield platform, all_keys[i : i + CHUNK]



class Accounts:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[Key, int] = {}
        self.names: dict[int, set[str]] = {}
        self._pending: dict[Key, ParsedAccount] = {}
        self._pending_names: dict[Key, set[str]] = defaultdict(set)
        self._changed: set[int] = set()

    def want(self, acc: ParsedAccount) -> Key:
        key = (acc.platform.value, acc.key)
        acc_id = self.ids.get(key)
        if acc_id is None:
            self._pending.setdefault(key, acc)
            if acc.display_name:
                self._pending_names[key].add(acc.display_name)
        elif acc.display_name and acc.display_name not in self.names[acc_id]:
            self.names[acc_id].add(acc.display_name)
            self._changed.add(acc_id)
        return key

    def resolve(self) -> None:
        if self._pending:
            # Insert first, look up only the ones that existed: a lookup of every new key
            # would scan the table on PostgreSQL, whose statistics lag inside a transaction.
            keys = list(self._pending)
            created = self.session.execute(
                insert_ignoring_conflicts(self.session, Account, ("platform", "key"))
                .returning(Account.id, Account.platform, Account.key),
                [{"platform": p, "key": k, "handle": self._pending[(p, k)].handle,
                  "display_names": json.dumps(sorted(self._pending_names.get((p, k), ())),
                                              ensure_ascii=False)}
                 for p, k in keys],
            ).all()
            for acc_id, platform, key in created:
                self.ids[(platform, key)] = acc_id
                self.names[acc_id] = set(self._pending_names.get((platform, key), ()))
            for platform, chunk in _by_platform(k for k in keys if k not in self.ids):
                rows = self.session.execute(
                    select(Account.id, Account.key, Account.display_names)
                    .where(Account.platform == platform, Account.key.in_(chunk))
                ).all()
                for acc_id, key, names in rows:
                    self.ids[(platform, key)] = acc_id
                    known = set(json.loads(names))
                    new = self._pending_names.get((platform, key), set()) - known
                    self.names[acc_id] = known | new
                    if new:
                        self._changed.add(acc_id)
        for acc_id in self._changed:
            self.session.execute(update(Account).where(Account.id == acc_id).values(
                display_names=json.dumps(sorted(self.names[acc_id]), ensure_ascii=False)))
        self._pending.clear()
        self._pending_names.clear()
        self._changed.clear()


class Conversations:
    def __init__(self, session: Session, defender_id: int) -> None:
        self.session = session
        self.defender_id = defender_id
        self.ids: dict[Key, int] = {}
        self._pending: dict[Key, str | None] = {}

    def want(self, platform: str, key: str, title: str | None) -> Key:
        k = (platform, key)
        if k not in self.ids:
            self._pending.setdefault(k, title)
        return k

    def resolve(self) -> None:
        if not self._pending:
            return
        keys = list(self._pending)
        created = self.session.execute(
            insert_ignoring_conflicts(self.session, Conversation,
                                      ("defender_id", "platform", "key"))
            .returning(Conversation.id, Conversation.platform, Conversation.key),
            [{"defender_id": self.defender_id, "platform": p, "key": k,
              "title": self._pending[(p, k)]} for p, k in keys],
        ).all()
        for conv_id, platform, key in created:
            self.ids[(platform, key)] = conv_id
        for platform, chunk in _by_platform(k for k in keys if k not in self.ids):
            rows = self.session.execute(
                select(Conversation.id, Conversation.key).where(
                    Conversation.defender_id == self.defender_id,
                    Conversation.platform == platform, Conversation.key.in_(chunk))
            ).all()
            for conv_id, key in rows:
                self.ids[(platform, key)] = conv_id
        self._pending.clear()
