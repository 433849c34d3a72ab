"""SHA-256 of files and folders, read in chunks (evidence and exports can be gigabytes)."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file; of a folder, over each regular file's relative path and hash."""
    if path.is_dir():
        digest = hashlib.sha256()
        for p in sorted(path.rglob("*")):
            if p.is_file() and not p.is_symlink():
                digest.update(p.relative_to(path).as_posix().encode() + b"\0")
                digest.update(bytes.fromhex(sha256_file(p)))
        return digest.hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
