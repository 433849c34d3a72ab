"""Settings, read from the environment. Every setting is documented in docs/configuration.md
(a test checks that)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from amparo.errors import InvalidValue
from amparo.ingest.sources import SourceLimits

# Each environment variable Amparo reads, with a one-line description (also the docs' source).
SETTINGS: dict[str, str] = {
    "AMPARO_HOME": "workspace folder (database, vault, custody head); default ./amparo-data",
    "AMPARO_DATABASE_URL": "SQLAlchemy URL of the database; default SQLite in the workspace",
    "AMPARO_KEY_FILE": "file holding the 32-byte vault key (kept away from the workspace)",
    "AMPARO_PASSPHRASE": "passphrase from which the vault key is derived with Argon2id",
    "AMPARO_KDF_MEMORY_KIB": "Argon2id memory cost in KiB when a workspace is created",
    "AMPARO_KDF_TIME_COST": "Argon2id iterations when a workspace is created",
    "AMPARO_ACTOR": "name recorded as 'who' in the custody log; default the OS user",
    "AMPARO_MAX_JSON_BYTES": "largest JSON export loaded whole, in bytes",
    "AMPARO_MAX_ARCHIVE_BYTES": "largest total uncompressed size accepted from one zip",
    "AMPARO_MAX_ZIP_RATIO": "largest compression ratio accepted for a zip member",
    "AMPARO_DEBUG": "1: commands print the traceback of any error (as --debug does)",
    "AMPARO_COOKIE_SECURE": "web: 1 (default) marks cookies Secure; 0 only for plain-HTTP "
                            "localhost",
    "AMPARO_SESSION_IDLE_MINUTES": "web: sign out after this many idle minutes; default 30",
    "AMPARO_SESSION_MAX_HOURS": "web: a sign-in lasts at most this many hours; default 12",
    "AMPARO_LOGIN_MAX_FAILURES": "web: failed sign-ins before an account is locked; default 5",
    "AMPARO_LOGIN_LOCKOUT_MINUTES": "web: how long a locked account stays locked; default 15",
}


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidValue(f"{name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    key_file: Path | None = None
    passphrase: str | None = field(default=None, repr=False)
    kdf_memory_kib: int = 256 * 1024
    kdf_time_cost: int = 3
    actor: str = "unknown"
    limits: SourceLimits = field(default_factory=SourceLimits)

    @classmethod
    def from_env(cls, home: Path | None = None) -> Settings:
        env = os.environ
        home = home or Path(env.get("AMPARO_HOME", "amparo-data"))
        key_file = env.get("AMPARO_KEY_FILE")
        defaults = SourceLimits()
        limits = SourceLimits(
            max_json_bytes=_int_env("AMPARO_MAX_JSON_BYTES", defaults.max_json_bytes),
            max_total_uncompressed=_int_env(
                "AMPARO_MAX_ARCHIVE_BYTES", defaults.max_total_uncompressed
            ),
            max_ratio=float(_int_env("AMPARO_MAX_ZIP_RATIO", int(defaults.max_ratio))),
        )
        return cls(
            home=home.absolute(),
            database_url=env.get("AMPARO_DATABASE_URL") or None,
            key_file=Path(key_file) if key_file else None,
            passphrase=env.get("AMPARO_PASSPHRASE") or None,
            kdf_memory_kib=_int_env("AMPARO_KDF_MEMORY_KIB", 256 * 1024),
            kdf_time_cost=_int_env("AMPARO_KDF_TIME_COST", 3),
            actor=env.get("AMPARO_ACTOR") or env.get("USER") or "unknown",
            limits=limits,
        )

    @property
    def sqlite_path(self) -> Path:
        return self.home / "amparo.db"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def vault_dir(self) -> Path:
        return self.home / "vault"
