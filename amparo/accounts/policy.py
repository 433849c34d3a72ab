"""The security settings of accounts and the web server, read from the environment
(documented in docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from argon2 import PasswordHasher

from amparo.config import _int_env
from amparo.errors import InvalidValue


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise InvalidValue(f"{name} must be 1 or 0 (true or false), got {raw!r}")


@dataclass(frozen=True)
class Policy:
    cookie_secure: bool = True
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    max_failures: int = 5
    lockout_minutes: int = 15
    # Per client address: sign-in attempts allowed in a sliding window of `ip_window_s`.
    ip_attempts: int = 20
    ip_window_s: int = 300
    min_password_length: int = 12
    # Argon2id costs of password hashes (argon2-cffi's RFC 9106 "low memory" profile).
    hash_time_cost: int = 3
    hash_memory_kib: int = 64 * 1024

    @classmethod
    def from_env(cls) -> Policy:
        d = cls()
        return cls(
            cookie_secure=_bool_env("AMPARO_COOKIE_SECURE", d.cookie_secure),
            session_idle_minutes=_int_env("AMPARO_SESSION_IDLE_MINUTES",
                                          d.session_idle_minutes),
            session_max_hours=_int_env("AMPARO_SESSION_MAX_HOURS", d.session_max_hours),
            max_failures=_int_env("AMPARO_LOGIN_MAX_FAILURES", d.max_failures),
            lockout_minutes=_int_env("AMPARO_LOGIN_LOCKOUT_MINUTES", d.lockout_minutes),
        )

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.hash_time_cost, memory_cost=self.hash_memory_kib,
                              parallelism=1)
