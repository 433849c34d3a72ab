"""The errors a person using Amparo can act on.

Every problem caused by what someone gave Amparo (a damaged or unreadable file, a wrong option
value, a missing workspace or defender, a wrong passphrase) is an `AmparoError`: the command line
prints its message as one line and exits with status 2. Any other exception is a bug in Amparo,
reported as an internal error (see `amparo.cli_common`), never passed off as the user's mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AmparoError(Exception):
    """A problem the user can fix; the message says what and where."""


class NotFound(AmparoError, LookupError):
    """A record the user named (message, evidence item, defender ...) does not exist."""


class InvalidValue(AmparoError, ValueError):
    """A value the user gave (an option, a setting) is not one Amparo accepts."""


class FileProblem(AmparoError):
    """A file the user named cannot be read or written; the message names it and says why."""

    def __init__(self, path: Path | str, exc: OSError, doing: str = "read") -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: cannot {doing}: {exc.strerror or exc}")


@contextmanager
def user_file(path: Path | str, doing: str = "read") -> Iterator[None]:
    """Around the opening of a file the user named: the system's refusal (missing, a folder,
    no permission, disk full) becomes a FileProblem that names the file."""
    try:
        yield
    except OSError as exc:
        raise FileProblem(path, exc, doing) from None
