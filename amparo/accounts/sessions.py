"""Browser sessions: a random id in the cookie, only its SHA-256 in the database, an absolute
expiry and an idle timeout. The id changes when the second factor is passed (no fixation)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from amparo.accounts.policy import Policy
from amparo.store.tables import User, WebSession

PENDING = "password"  # the password was right; the second factor is still to come
FULL = "full"
# last_seen is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)
# A password without its second factor is worth little, and for a short while only.
PENDING_FOR = timedelta(minutes=10)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(s: Session, policy: Policy, user: User, stage: str) -> str:
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    s.add(WebSession(token_hash=token_hash(token), user_id=user.id, stage=stage,
                     csrf=secrets.token_urlsafe(32), created_at=now, last_seen=now,
                     expires_at=now + timedelta(hours=policy.session_max_hours)))
    s.flush()
    return token


def resolve(s: Session, policy: Policy, token: str) -> tuple[WebSession, User] | None:
    """The live session and its user, or None (expired, idle too long, user disabled)."""
    now = datetime.now(UTC)
    row = s.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    sess, user = row
    idle = timedelta(minutes=policy.session_idle_minutes)
    pending_over = sess.stage == PENDING and sess.created_at + PENDING_FOR <= now
    if sess.expires_at <= now or sess.last_seen + idle <= now or user.disabled or pending_over:
        s.delete(sess)
        return None
    if now - sess.last_seen >= TOUCH_EVERY:
        sess.last_seen = now
    return sess, user


def promote(s: Session, sess: WebSession) -> str:
    """The second factor passed: full access under a new id and a new CSRF token."""
    token = secrets.token_urlsafe(32)
    sess.token_hash = token_hash(token)
    sess.stage = FULL
    sess.csrf = secrets.token_urlsafe(32)
    sess.last_seen = datetime.now(UTC)
    return token


def end(s: Session, token: str) -> None:
    s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def end_others(s: Session, user_id: int, keep: int) -> None:
    """Sign the user out everywhere else (after a password change)."""
    s.execute(delete(WebSession).where(WebSession.user_id == user_id, WebSession.id != keep))


def purge_expired(s: Session) -> int:
    now = datetime.now(UTC)
    result = s.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
