"""Defenders and their private-data watchlists (sealed with the vault key)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.domain import WATCH_KINDS
from amparo.errors import AmparoError
from amparo.store import custody
from amparo.store.crypto import seal, unseal
from amparo.store.tables import Defender


class DefenderError(AmparoError):
    pass


@dataclass(frozen=True)
class WatchEntry:
    kind: str
    value: str


def add_defender(
    s: Session,
    pseudonym: str,
    *,
    actor: str,
    country: str | None = None,
    languages: list[str] | None = None,
    timezone: str | None = None,
) -> Defender:
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise DefenderError("the pseudonym must not be empty")
    if s.execute(select(Defender).where(Defender.pseudonym == pseudonym)).first():
        raise DefenderError(f"a defender named {pseudonym!r} already exists")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise DefenderError(f"country must be a two-letter ISO code, got {country!r}")
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise DefenderError(f"unknown time zone {timezone!r}") from None
    d = Defender(
        pseudonym=pseudonym, country=country.upper() if country else None,
        languages=",".join(languages or []), timezone=timezone or None,
        created_at=datetime.now(UTC),
    )
    s.add(d)
    s.flush()
    custody.append(s, actor=actor, action="defender.create", object_type="defender",
                   object_id=str(d.id))
    return d


def find_defender(s: Session, id_or_name: str) -> Defender:
    """By numeric id, else by exact pseudonym."""
    d = None
    if id_or_name.isdigit():
        d = s.get(Defender, int(id_or_name))
    if d is None:
        d = s.execute(select(Defender).where(Defender.pseudonym == id_or_name)).scalar_one_or_none()
    if d is None:
        raise DefenderError(f"no defender with id or name {id_or_name!r}")
    return d


def list_defenders(s: Session) -> list[Defender]:
    return list(s.execute(select(Defender).order_by(Defender.id)).scalars())


def _context(d: Defender) -> bytes:
    return f"watchlist:{d.id}".encode()


def read_watchlist(key: bytes, d: Defender) -> list[WatchEntry]:
    if d.watchlist_sealed is None:
        return []
    data = json.loads(unseal(key, d.watchlist_sealed, _context(d)))
    return [WatchEntry(e["kind"], e["value"]) for e in data]


def add_watch_entry(
    s: Session, key: bytes, d: Defender, kind: str, value: str, *, actor: str
) -> list[WatchEntry]:
    if kind not in WATCH_KINDS:
        raise DefenderError(f"unknown watchlist kind {kind!r}; kinds: {', '.join(WATCH_KINDS)}")
    if not value.strip():
        raise DefenderError("the watchlist value must not be empty")
    entries = [*read_watchlist(key, d), WatchEntry(kind, value.strip())]
    payload = json.dumps([e.__dict__ for e in entries], ensure_ascii=False).encode()
    d.watchlist_sealed = seal(key, payload, _context(d))
    # The value itself never enters the log: the log may be shared with a court.
    custody.append(s, actor=actor, action="watchlist.add", object_type="defender",
                   object_id=str(d.id), details={"kind": kind})
    return entries
