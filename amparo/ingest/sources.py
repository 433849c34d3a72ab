"""Uniform, safe read access to what a caseworker imports: a single file, a folder or a zip.

Importers see only `Source`: a list of member paths and a way to open each as bytes. Zip
archives are read in place (never extracted), with limits against zip bombs and a refusal of
member names that try to escape the archive.
"""

from __future__ import annotations

import os
import stat
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from amparo.ingest.errors import ImportRejected


@dataclass(frozen=True)
class SourceLimits:
    """Bounds that keep a hostile archive from exhausting memory or disk."""

    max_members: int = 200_000
    max_total_uncompressed: int = 64 * 1024**3
    max_ratio: float = 250.0
    ratio_floor_bytes: int = 4 * 1024**2  # small members may compress extremely well
    max_json_bytes: int = 512 * 1024**2


class Source(ABC):
    """A file, folder or archive being imported. Member names are relative POSIX paths."""

    def __init__(self, path: Path, limits: SourceLimits) -> None:
        self.path = path
        self.limits = limits

    @property
    def name(self) -> str:
        return self.path.name

    @abstractmethod
    def members(self) -> list[str]:
        """Every regular file in the source."""

    @abstractmethod
    def open(self, member: str) -> IO[bytes]:
        """A binary stream of one member."""

    @abstractmethod
    def size(self, member: str) -> int:
        """Uncompressed size of a member in bytes."""

    def head(self, member: str, n: int = 4096) -> bytes:
        with self.open(member) as fh:
            return fh.read(n)

    def label(self, member: str) -> str:
        """How to name a member in messages to people: `export.zip!chat.txt`."""
        return f"{self.name}!{member}"

    def close(self) -> None:  # noqa: B027 - optional hook, most sources hold nothing open
        pass


class FileSource(Source):
    """A single file; its one member is its own file name."""

    def members(self) -> list[str]:
        return [self.path.name]

    def open(self, member: str) -> IO[bytes]:
        self._check(member)
        return self.path.open("rb")

    def size(self, member: str) -> int:
        self._check(member)
        return self.path.stat().st_size

    def label(self, member: str) -> str:
        return self.path.name

    def _check(self, member: str) -> None:
        if member != self.path.name:
            raise KeyError(member)


class DirSource(Source):
    """A folder, such as an unpacked X archive or Slack export. Symbolic links are not followed:
    evidence must come from inside the folder the caseworker named."""

    def __init__(
        self, path: Path, limits: SourceLimits, only: frozenset[str] | None = None
    ) -> None:
        super().__init__(path, limits)
        self._members: list[str] | None = None
        # `only` narrows the folder to the files of one export (when a folder holds several).
        self.only = only
        self.skipped: list[str] = []  # links and special files, never read

    def members(self) -> list[str]:
        if self._members is None:
            found: list[str] = []
            skipped: list[str] = []
            for root, dirs, files in os.walk(self.path, followlinks=False):
                dirs.sort()
                for dname in dirs:
                    if (Path(root) / dname).is_symlink():
                        skipped.append((Path(root) / dname).relative_to(self.path).as_posix())
                for fname in sorted(files):
                    full = Path(root) / fname
                    rel = full.relative_to(self.path).as_posix()
                    if self.only is not None and rel not in self.only:
                        continue
                    if full.is_symlink() or not full.is_file():
                        skipped.append(rel)
                        continue
                    found.append(rel)
                    if len(found) > self.limits.max_members:
                        raise ImportRejected(
                            self.name, f"more than {self.limits.max_members} files in the folder"
                        )
            self._members = found
            self.skipped = skipped
        return self._members

    def open(self, member: str) -> IO[bytes]:
        return self._resolve(member).open("rb")

    def size(self, member: str) -> int:
        return self._resolve(member).stat().st_size

    def label(self, member: str) -> str:
        return f"{self.name}/{member}"

    def _resolve(self, member: str) -> Path:
        if member not in set(self.members()):
            raise KeyError(member)
        return self.path / member


class Subset(Source):
    """Some members of another source (the parts of an archive), to judge them apart."""

    def __init__(self, inner: Source, only: frozenset[str]) -> None:
        super().__init__(inner.path, inner.limits)
        self.inner = inner
        self.only = only

    def members(self) -> list[str]:
        return [m for m in self.inner.members() if m in self.only]

    def open(self, member: str) -> IO[bytes]:
        if member not in self.only:
            raise KeyError(member)
        return self.inner.open(member)

    def size(self, member: str) -> int:
        return self.inner.size(member)

    def label(self, member: str) -> str:
        return self.inner.label(member)


def unsafe_member_reason(name: str) -> str | None:
    """Why an archive member name is unsafe, or None. Such names are a sign of a crafted
    archive (they would escape the folder if extracted), so the whole import is refused."""
    if "\x00" in name:
        return "contains a NUL byte"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "climbs out of the archive with '..'"
    return None


class ZipSource(Source):
    def __init__(self, path: Path, limits: SourceLimits) -> None:
        super().__init__(path, limits)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRejected(path.name, f"not a readable zip archive ({exc})") from exc
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._check_archive()

    def _check_archive(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_members:
            raise ImportRejected(self.name, f"more than {self.limits.max_members} members")
        total = 0
        for info in infos:
            reason = unsafe_member_reason(info.filename)
            if reason:
                raise ImportRejected(
                    self.name, f"unsafe member name {info.filename!r}: {reason}",
                    where=f"member {info.filename!r}",
                )
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ImportRejected(
                    self.name, "symbolic links inside archives are refused",
                    where=f"member {info.filename!r}",
                )
            total += info.file_size
            if (
                info.file_size > self.limits.ratio_floor_bytes
                and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)
            ):
                raise ImportRejected(
                    self.name,
                    f"compression ratio {info.file_size / max(info.compress_size, 1):.0f}:1 "
                    f"exceeds {self.limits.max_ratio:.0f}:1 (zip bomb?)",
                    where=f"member {info.filename!r}",
                )
            self._infos[info.filename.replace("\\", "/")] = info
        if total > self.limits.max_total_uncompressed:
            raise ImportRejected(
                self.name,
                f"archive would expand to {total} bytes, over the limit of "
                f"{self.limits.max_total_uncompressed} (zip bomb?)",
            )

    def members(self) -> list[str]:
        return sorted(self._infos)

    def open(self, member: str) -> IO[bytes]:
        # zipfile never yields more than the declared file_size, and that was bounded above.
        return self._zip.open(self._infos[member])

    def size(self, member: str) -> int:
        return self._infos[member].file_size

    def close(self) -> None:
        self._zip.close()


def open_source(path: Path, limits: SourceLimits | None = None) -> Source:
    """Open a path as a source, by content: a zip is recognised by its signature, not its name."""
    limits = limits or SourceLimits()
    if not path.exists():
        raise ImportRejected(str(path), "no such file or folder")
    if path.is_dir():
        return DirSource(path, limits)
    if not path.is_file():
        raise ImportRejected(str(path), "not a regular file or folder")
    if is_zip(path):
        return ZipSource(path, limits)
    return FileSource(path, limits)


def is_zip(path: Path) -> bool:
    """Whether a file is a zip archive, by its signature (not its name)."""
    with path.open("rb") as fh:
        return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def iter_members(source: Source, suffixes: tuple[str, ...]) -> Iterator[str]:
    """Members whose lower-cased name ends with one of `suffixes`."""
    for m in source.members():
        if m.lower().endswith(suffixes):
            yield m
