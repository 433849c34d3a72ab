"""Staff users: creation, passwords, the TOTP second factor, lockout, roles and languages.

Every change is written to the custody log (amparo.store.custody) in the same transaction.
Sign-in answers never say whether a username exists: an unknown name costs the same Argon2id
verification as a known one and gets the same refusal."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from amparo.accounts import totp
from amparo.accounts.policy import Policy
from amparo.accounts.roles import parse_role
from amparo.errors import AmparoError, NotFound
from amparo.store import custody
from amparo.store.crypto import seal, unseal
from amparo.store.tables import ApiToken, User, WebSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
LANGUAGES = ("en", "pt", "es", "fr", "ar")


class AccountError(AmparoError, ValueError):
    """A request about an account that cannot be done (bad name, weak password...)."""


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    totp_secret: str | None
    recovery_codes: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _context(user: User) -> bytes:
    return f"totp:{user.id}".encode()


def _check_password(policy: Policy, password: str) -> None:
    if len(password) < policy.min_password_length:
        raise AccountError(f"the password must be at least {policy.min_password_length} "
                           "characters long")


def get_user(s: Session, username: str) -> User:
    user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(s: Session) -> list[User]:
    return list(s.execute(select(User).order_by(User.username)).scalars())


def user_dict(u: User) -> dict[str, object]:
    return {"username": u.username, "role": u.role, "disabled": u.disabled,
            "two_factor": u.totp_confirmed, "language": u.language,
            "created_at": u.created_at.isoformat()}


def _enrol(key: bytes, user: User) -> tuple[str, list[str]]:
    secret = totp.new_secret()
    codes = totp.new_recovery_codes()
    user.totp_sealed = seal(key, secret.encode("ascii"), _context(user))
    user.recovery_hashes = json.dumps([totp.hash_recovery_code(c) for c in codes])
    user.totp_last_step = None
    return secret, codes


def create_user(
    s: Session, key: bytes, policy: Policy, username: str, role: str, password: str, *,
    actor: str, enrol_now: bool,
) -> NewUser:
    """Add a user. With `enrol_now` (the CLI) the TOTP secret and recovery codes are made and
    returned at once; otherwise the user enrols at first sign-in."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("a username is 2-64 characters: lower-case letters, digits, '.', "
                           "'_' or '-', starting with a letter or digit")
    the_role = parse_role(role)
    _check_password(policy, password)
    if s.execute(select(User.id).where(User.username == username)).first():
        raise AccountError(f"a user named {username!r} already exists")
    user = User(username=username, role=the_role.value,
                password_hash=policy.hasher().hash(password), totp_confirmed=False,
                recovery_hashes="[]", failed_logins=0, disabled=False, created_at=_now())
    s.add(user)
    s.flush()
    secret: str | None = None
    codes: list[str] = []
    if enrol_now:
        secret, codes = _enrol(key, user)
        user.totp_confirmed = True
    custody.append(s, actor=actor, action="user.create", object_type="user",
                   object_id=username, details={"role": the_role.value})
    return NewUser(username, the_role.value, secret, codes)


def _end_access(s: Session, user: User) -> None:
    s.execute(delete(WebSession).where(WebSession.user_id == user.id))


def set_disabled(s: Session, username: str, disabled: bool, *, actor: str) -> User:
    user = get_user(s, username)
    user.disabled = disabled
    if disabled:
        _end_access(s, user)
        s.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                         ApiToken.revoked_at.is_(None))
                  .values(revoked_at=_now()))
    else:
        user.failed_logins, user.locked_until = 0, None
    custody.append(s, actor=actor, action="user.disable" if disabled else "user.enable",
                   object_type="user", object_id=username)
    return user


def reset_second_factor(s: Session, username: str, *, actor: str) -> User:
    """Forget the TOTP secret and recovery codes; the user enrols again at next sign-in."""
    user = get_user(s, username)
    user.totp_sealed, user.totp_confirmed, user.totp_last_step = None, False, None
    user.recovery_hashes = "[]"
    _end_access(s, user)
    custody.append(s, actor=actor, action="user.reset-2fa", object_type="user",
                   object_id=username)
    return user


def set_language(s: Session, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}")
    user.language = language


def change_password(
    s: Session, policy: Policy, user: User, current: str, new: str,
) -> bool:
    """False when `current` is wrong; raises AccountError when `new` is too weak."""
    try:
        policy.hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        return False
    _check_password(policy, new)
    user.password_hash = policy.hasher().hash(new)
    custody.append(s, actor=user.username, action="user.password", object_type="user",
                   object_id=user.username)
    return True


# A hash to verify against when the username is unknown, so the answer takes as long.
_DUMMY: dict[tuple[int, int], str] = {}


def _dummy_hash(policy: Policy) -> str:
    costs = (policy.hash_time_cost, policy.hash_memory_kib)
    if costs not in _DUMMY:
        _DUMMY[costs] = policy.hasher().hash("amparo-no-such-user")
    return _DUMMY[costs]


def _fail(s: Session, policy: Policy, user: User | None, now: datetime, step: str) -> None:
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
    # Unknown names are not recorded: what was typed may be a mistyped password.
    custody.append(s, actor=user.username if user else "(unknown)", action="login.failed",
                   object_type="user", object_id=user.username if user else "",
                   details={"step": step})


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def check_password(s: Session, policy: Policy, username: str, password: str) -> User | None:
    """The first sign-in step. None for any refusal: unknown, disabled, locked or wrong."""
    now = _now()
    user = s.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()
    stored = user.password_hash if user is not None else _dummy_hash(policy)
    try:
        ok: bool = policy.hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None or not ok or user.disabled or _locked(user, now):
        _fail(s, policy, user, now, "password")
        return None
    return user


def _secret(key: bytes, user: User) -> str | None:
    if user.totp_sealed is None:
        return None
    return unseal(key, user.totp_sealed, _context(user)).decode("ascii")


def check_second_factor(
    s: Session, key: bytes, policy: Policy, user: User, code: str, *,
    unix_time: float | None = None,
) -> bool:
    """A TOTP code (each used once) or an unused recovery code (then spent)."""
    now = _now()
    secret = _secret(key, user)
    ok = False
    if secret is not None and user.totp_confirmed and not user.disabled \
            and not _locked(user, now):
        step = totp.matching_step(secret, code, time.time() if unix_time is None else unix_time)
        if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            ok = True
        elif step is None:
            hashes = json.loads(user.recovery_hashes)
            h = totp.hash_recovery_code(code)
            if h in hashes:
                hashes.remove(h)
                user.recovery_hashes = json.dumps(hashes)
                ok = True
                custody.append(s, actor=user.username, action="login.recovery-code",
                               object_type="user", object_id=user.username,
                               details={"left": len(hashes)})
    if not ok:
        _fail(s, policy, user, now, "second-factor")
        return False
    user.failed_logins, user.locked_until = 0, None
    custody.append(s, actor=user.username, action="login", object_type="user",
                   object_id=user.username)
    return True


def enrolment_secret(s: Session, key: bytes, user: User) -> str:
    """The secret being enrolled: made on first call, kept until confirmed."""
    if user.totp_confirmed:
        raise AccountError("two-factor sign-in is already set up")
    secret = _secret(key, user)
    if secret is None:
        secret, _codes = _enrol(key, user)
    return secret


def confirm_enrolment(
    s: Session, key: bytes, user: User, code: str, *, unix_time: float | None = None,
) -> list[str] | None:
    """Check a code from the new authenticator; on success return fresh recovery codes."""
    secret = _secret(key, user)
    if secret is None or user.totp_confirmed:
        return None
    step = totp.matching_step(secret, code, time.time() if unix_time is None else unix_time)
    if step is None:
        return None
    codes = totp.new_recovery_codes()
    user.recovery_hashes = json.dumps([totp.hash_recovery_code(c) for c in codes])
    user.totp_confirmed, user.totp_last_step = True, step
    user.failed_logins, user.locked_until = 0, None
    custody.append(s, actor=user.username, action="user.enrol-2fa", object_type="user",
                   object_id=user.username)
    return codes


def reissue_credentials(
    s: Session, key: bytes, policy: Policy, username: str, password: str, *, actor: str,
) -> NewUser:
    """A new password, TOTP secret and recovery codes for an existing user (the demo's
    sign-in is renewed this way at every `amparo serve --demo-login`)."""
    user = get_user(s, username)
    _check_password(policy, password)
    user.password_hash = policy.hasher().hash(password)
    _end_access(s, user)
    secret, codes = _enrol(key, user)
    user.totp_confirmed, user.disabled = True, False
    user.failed_logins, user.locked_until = 0, None
    custody.append(s, actor=actor, action="user.reissue", object_type="user",
                   object_id=username)
    return NewUser(user.username, user.role, secret, codes)
