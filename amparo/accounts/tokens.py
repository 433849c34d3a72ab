"""API bearer tokens: shown once at creation, stored as SHA-256, acting with the user's role."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.accounts.sessions import token_hash
from amparo.accounts.users import get_user
from amparo.errors import InvalidValue, NotFound
from amparo.store import custody
from amparo.store.tables import ApiToken, User

PREFIX = "amparo_"


def create(s: Session, username: str, label: str, *, actor: str) -> tuple[int, str]:
    user = get_user(s, username)
    if user.disabled:
        raise InvalidValue(f"user {username!r} is disabled")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), user_id=user.id, label=label[:100],
                   created_at=datetime.now(UTC))
    s.add(row)
    s.flush()
    custody.append(s, actor=actor, action="token.create", object_type="api_token",
                   object_id=str(row.id), details={"user": user.username, "label": row.label})
    return row.id, token


def revoke(s: Session, token_id: int, *, actor: str) -> None:
    row = s.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        custody.append(s, actor=actor, action="token.revoke", object_type="api_token",
                       object_id=str(token_id))


def list_tokens(s: Session) -> list[dict[str, object]]:
    rows = s.execute(select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
                     .order_by(ApiToken.id))
    return [{"id": t.id, "user": name, "label": t.label, "created_at": t.created_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
             "revoked": t.revoked_at is not None} for t, name in rows]


def resolve(s: Session, token: str) -> User | None:
    if not token.startswith(PREFIX):
        return None
    row = s.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    tok, user = row
    if tok.revoked_at is not None or user.disabled:
        return None
    now = datetime.now(UTC)
    if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 60:
        tok.last_used_at = now
    return user
