"""A workspace: the database, the encrypted vault and the custody head under `AMPARO_HOME`."""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from amparo.config import Settings
from amparo.store import custody, keys
from amparo.store.db import make_engine, schema_is_current, upgrade
from amparo.store.tables import EvidenceItem
from amparo.store.vault import Vault


class WorkspaceError(Exception):
    """The workspace is missing, not initialised, or in an unexpected state."""


LOCK_FILE = ".write.lock"
REREAD_PREFIX = "reread."


class Workspace:
    def __init__(self, settings: Settings, engine: Engine, key: bytes) -> None:
        self.settings = settings
        self.home = settings.home
        self.engine = engine
        self.key = key
        self.vault = Vault(settings.vault_dir, key)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def key_mode(self) -> str:
        return keys.key_mode(self.home)

    @property
    def head_file(self) -> Path:
        return self.home / custody.HEAD_FILE

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        key_mode: str,
        passphrase: str | None = None,
        key_file: Path | None = None,
    ) -> Workspace:
        home = settings.home
        if (home / keys.KEYRING).exists():
            raise WorkspaceError(f"{home} is already an Amparo workspace")
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)
        key = keys.create_key(
            home, mode=key_mode, passphrase=passphrase, key_file=key_file,
            memory_kib=settings.kdf_memory_kib, time_cost=settings.kdf_time_cost,
        )
        engine = make_engine(settings.url)
        upgrade(engine)
        ws = cls(settings, engine, key)
        ws.vault.create()
        with ws.session() as s:
            custody.append(
                s, actor=settings.actor, action="workspace.create", object_type="workspace",
                object_id=str(home), details={"key_mode": key_mode},
            )
        ws.after_commit()
        return ws

    @classmethod
    def open(cls, settings: Settings) -> Workspace:
        home = settings.home
        if not (home / keys.KEYRING).exists():
            raise WorkspaceError(
                f"{home} is not an Amparo workspace: run 'amparo init' (or set AMPARO_HOME)"
            )
        key = keys.load_key(home, passphrase=settings.passphrase, key_file=settings.key_file)
        engine = make_engine(settings.url)
        if not schema_is_current(engine):
            upgrade(engine)
        return cls(settings, engine, key)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back on any exception."""
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers on this workspace and finish what a crashed writer left."""
        fd = (self.home / LOCK_FILE).open("a+")
        try:
            fcntl.flock(fd.fileno(), fcntl.LOCK_EX)
            self.recover()
            yield
        finally:
            fcntl.flock(fd.fileno(), fcntl.LOCK_UN)
            fd.close()

    @property
    def tmp_dir(self) -> Path:
        """Private scratch space: originals decrypted for a re-read or an archive view."""
        return self.home / "tmp"

    def recover(self) -> tuple[int, int]:
        # Plaintext a killed re-read left behind (re-reads run under the write lock, so none
        # is running now).
        for stale in self.tmp_dir.glob(f"{REREAD_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        with self.session() as s:
            known = set(s.execute(select(EvidenceItem.sha256)).scalars())
        return self.vault.recover(known)

    def after_commit(self) -> None:
        with self.session() as s:
            custody.write_head(s, self.head_file)

    def close(self) -> None:
        self.engine.dispose()
