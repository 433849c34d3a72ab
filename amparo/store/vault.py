"""Content-addressed, encrypted storage of original evidence bytes.

Layout under `$AMPARO_HOME/vault/`:
    blobs/ab/cd/<sha256>     an encrypted original, named by the SHA-256 of its plaintext
    staging/<sha256>.<rand>  written during an import, before its database transaction commits

The database commit is the commit point of an import: staged blobs are promoted only after it,
and `recover()` (run whenever a workspace is opened for writing) promotes the staged blobs the
database knows and deletes the rest. A crash therefore never leaves an orphan blob, and never a
row without its blob. Commands report what `recover()` did; see Recovery.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from amparo.store.crypto import IntegrityError, decrypt_stream, encrypt_stream


@dataclass(frozen=True)
class StagedBlob:
    sha256: str
    size: int
    path: Path


@dataclass
class Recovery:
    """What `Vault.recover` did, by file name, so that commands can say so."""

    promoted: list[str] = field(default_factory=list)  # staged by a committed import: kept
    discarded: list[str] = field(default_factory=list)  # staged by an uncommitted one: removed
    removed: list[str] = field(default_factory=list)  # blobs whose deletion had committed

    def __bool__(self) -> bool:
        return bool(self.promoted or self.discarded or self.removed)

    def touched_vault(self) -> bool:
        """Whether the vault's blobs changed (uncommitted staging never was evidence)."""
        return bool(self.promoted or self.removed)

    def to_dict(self) -> dict[str, list[str]]:
        return {"promoted": self.promoted, "discarded": self.discarded,
                "removed": self.removed}

    def summary(self) -> str:
        parts = []
        if self.promoted:
            parts.append(f"{len(self.promoted)} staged original(s) of a committed import "
                         f"moved into the vault ({', '.join(self.promoted)})")
        if self.discarded:
            parts.append(f"{len(self.discarded)} staged file(s) of an import that never "
                         f"committed removed ({', '.join(self.discarded)})")
        if self.removed:
            parts.append(f"{len(self.removed)} blob(s) of a committed deletion removed "
                         f"({', '.join(self.removed)})")
        return "; ".join(parts)


@dataclass(frozen=True)
class BlobProblem:
    sha256: str
    problem: str


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Vault:
    def __init__(self, root: Path, key: bytes) -> None:
        self.root = root
        self._key = key
        self.blobs = root / "blobs"
        self.staging = root / "staging"

    def create(self) -> None:
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(parents=True, exist_ok=True)

    def blob_path(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.blob_path(sha256).exists()

    def stage(self, source: IO[bytes]) -> StagedBlob:
        """Hash and encrypt a stream into the staging area in one pass."""
        self.staging.mkdir(parents=True, exist_ok=True)
        tmp = self.staging / f"incoming.{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        size = 0
        try:
            with tmp.open("wb") as sink:
                for chunk in encrypt_stream(self._key, source, sink):
                    digest.update(chunk)
                    size += len(chunk)
                sink.flush()
                os.fsync(sink.fileno())
            sha = digest.hexdigest()
            staged = self.staging / f"{sha}.{secrets.token_hex(4)}"
            tmp.rename(staged)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StagedBlob(sha, size, staged)

    def promote(self, blob: StagedBlob) -> None:
        """Move a staged blob to its final place (after the database commit)."""
        self._promote_file(blob.path, blob.sha256)

    def _promote_file(self, staged: Path, sha256: str) -> None:
        final = self.blob_path(sha256)
        if final.exists():
            staged.unlink(missing_ok=True)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        staged.replace(final)
        _fsync_dir(final.parent)

    def discard(self, blobs: Iterable[StagedBlob]) -> None:
        for blob in blobs:
            blob.path.unlink(missing_ok=True)

    def recover(self, known: Iterable[str], deleted: Iterable[str] = ()) -> Recovery:
        """Finish or undo what a crashed process left: promote the staged blobs the database
        knows (`known`), remove the other staged files, and remove the blobs whose deletion was
        committed (`deleted`). A blob that is neither known nor deleted stays: it may be the
        only copy of evidence whose rows were lost, and `verify` reports it."""
        known_set, deleted_set = set(known), set(deleted)
        done = Recovery()
        if self.staging.exists():
            for staged in sorted(self.staging.iterdir()):
                sha = staged.name.split(".", 1)[0]
                if sha in known_set:
                    self._promote_file(staged, sha)
                    done.promoted.append(staged.name)
                else:
                    staged.unlink(missing_ok=True)
                    done.discarded.append(staged.name)
        for sha in sorted((set(self.list_blobs()) - known_set) & deleted_set):
            # Left by a deletion whose file removal was interrupted after the commit.
            self.blob_path(sha).unlink(missing_ok=True)
            done.removed.append(sha)
        return done

    def remove(self, sha256: str) -> None:
        self.blob_path(sha256).unlink(missing_ok=True)

    def list_blobs(self) -> Iterator[str]:
        if not self.blobs.exists():
            return
        for path in self.blobs.glob("*/*/*"):
            if path.is_file():
                yield path.name

    def open(self, sha256: str) -> Iterator[bytes]:
        """Stream the decrypted original; raises IntegrityError if it was altered."""
        path = self.blob_path(sha256)
        with path.open("rb") as fh:
            yield from decrypt_stream(self._key, fh)

    def read(self, sha256: str) -> bytes:
        return b"".join(self.open(sha256))

    def check(self, sha256: str) -> str | None:
        """Decrypt and re-hash one blob; None if intact, else what is wrong."""
        path = self.blob_path(sha256)
        if not path.exists():
            return "blob is missing from the vault"
        digest = hashlib.sha256()
        try:
            for chunk in self.open(sha256):
                digest.update(chunk)
        except IntegrityError as exc:
            return f"blob was altered ({exc})"
        if digest.hexdigest() != sha256:
            return f"content hashes to {digest.hexdigest()}, not its name"
        return None


@contextlib.contextmanager
def open_plaintext(vault: Vault, sha256: str, spool_dir: Path) -> Iterator[Path]:
    """Decrypt a blob to a private temporary file (for archive formats that need seeking).
    The file is removed afterwards."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    tmp = spool_dir / f"plain.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in vault.open(sha256):
                fh.write(chunk)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
