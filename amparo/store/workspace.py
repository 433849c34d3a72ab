"""A workspace: the database, the encrypted vault and the custody head under `AMPARO_HOME`."""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, make_url, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from amparo.config import Settings
from amparo.errors import AmparoError
from amparo.store import anchors, custody, keys
from amparo.store.db import current_revision, make_engine, schema_is_current, upgrade
from amparo.store.signing import CustodyKey
from amparo.store.tables import AuditEvent, EvidenceItem
from amparo.store.vault import Recovery, Vault


class WorkspaceError(AmparoError):
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
        self.custody_key = CustodyKey(key)
        # Everything recover() did while this workspace was open, for the command to report.
        self.recovered = Recovery()
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def key_mode(self) -> str:
        return keys.key_mode(self.home)

    @property
    def head_file(self) -> Path:
        return self.home / anchors.HEAD_FILE

    @property
    def database_label(self) -> str:
        return database_label(self.settings)

    @contextmanager
    def database_errors(self) -> Iterator[None]:
        """Turn a database failure into one WorkspaceError naming the database and the fault
        (a damaged file reaches SQLAlchemy as an exception from any query)."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise WorkspaceError(damaged(self.settings, exc)) from exc

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
        with ws.session() as s:  # the first head: there is no earlier one to check
            anchors.write_head(s, ws.head_file, ws.custody_key)
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
        try:
            revision = current_revision(engine)
            if revision is None:
                # Migrating would build a fresh, empty schema over whatever happened to the
                # workspace's database and hide it.
                raise WorkspaceError(
                    f"the database {database_label(settings)} holds no Amparo schema: it was "
                    "emptied, truncated or replaced; restore it from a backup")
            if not schema_is_current(engine):
                upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise WorkspaceError(damaged(settings, exc)) from exc
        except WorkspaceError:
            engine.dispose()
            raise
        return cls(settings, engine, key)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back on any exception. If it
        added custody entries, a signed checkpoint closes them in the same transaction."""
        with self._sessions() as s, s.begin():
            yield s
            custody.seal(s, self.custody_key, self.settings.actor)

    @contextmanager
    def write_lock(self) -> Iterator[Recovery]:
        """Serialise writers on this workspace and finish what a crashed writer left; yields
        what that recovery did."""
        fd = (self.home / LOCK_FILE).open("a+")
        try:
            fcntl.flock(fd.fileno(), fcntl.LOCK_EX)
            yield self.recover()
        finally:
            fcntl.flock(fd.fileno(), fcntl.LOCK_UN)
            fd.close()

    @property
    def tmp_dir(self) -> Path:
        """Private scratch space: originals decrypted for a re-read or an archive view."""
        return self.home / "tmp"

    def recover(self) -> Recovery:
        """Finish or undo an interrupted import or deletion (see Vault.recover). When that
        changes the vault's blobs it is written to the custody log; discarding the staged
        files of an import that never committed is not, as that import never happened."""
        # Plaintext a killed re-read left behind (re-reads run under the write lock, so none
        # is running now).
        for stale in self.tmp_dir.glob(f"{REREAD_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        with self.session() as s:
            known = set(s.execute(select(EvidenceItem.sha256)).scalars())
            deleted = {custody_sha(d) for d in s.execute(
                select(AuditEvent.details).where(AuditEvent.action == "evidence.delete")
            ).scalars()}
        done = self.vault.recover(known, deleted - known)
        if done.touched_vault():
            with self.session() as s:
                custody.append(s, actor=self.settings.actor, action="vault.recover",
                               object_type="vault", object_id="",
                               reason="finished a write interrupted by a crash",
                               details={"promoted": done.promoted, "removed": done.removed})
            self.after_commit()
        for name in ("promoted", "discarded", "removed"):
            getattr(self.recovered, name).extend(getattr(done, name))
        return done

    def after_commit(self) -> None:
        """Re-sign the head file. If the old head shows the log was cut or the head deleted,
        that is first written into the log: otherwise the new head would hide it."""
        head = anchors.HeadState.read(self.head_file)
        with self.session() as s:
            last_seq, _ = custody.last_entry(s)
            found = anchors.head_problems(s, head, self.custody_key, last_seq,
                                          custody.first_checkpoint(s))
            if not found:
                anchors.write_head(s, self.head_file, self.custody_key)
                return
            custody.record_anomalies(s, found, self.settings.actor)
        with self.session() as s:  # the anomaly committed: now the head may move past it
            anchors.write_head(s, self.head_file, self.custody_key)

    def close(self) -> None:
        self.engine.dispose()


def custody_sha(details: str) -> str:
    try:
        return str(json.loads(details)["sha256"])
    except (ValueError, KeyError, TypeError):
        return ""


def database_label(settings: Settings) -> str:
    """The database as a person would name it: the SQLite file, or the server URL without
    its password."""
    if settings.database_url is None:
        return str(settings.sqlite_path)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def damaged(settings: Settings, exc: SQLAlchemyError) -> str:
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = str(cause).strip().splitlines()
    reason = lines[0] if lines else type(cause).__name__
    return f"the database {database_label(settings)} is damaged or unreadable: {reason}"
