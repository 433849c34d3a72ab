"""What every command shares: consoles, clear errors, settings and the open workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from amparo.config import Settings
    from amparo.store.workspace import Workspace

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Path | None] = {"home": None}


@cache
def expected() -> tuple[type[Exception], ...]:
    """The errors a command reports in one line. Imported on first use, not with the CLI:
    the store pulls in SQLAlchemy and cryptography, which `amparo --help` does not need."""
    from amparo.ingest import ImportRejected
    from amparo.store import keys
    from amparo.store.crypto import IntegrityError
    from amparo.store.defenders import DefenderError
    from amparo.store.workspace import WorkspaceError

    return (ImportRejected, WorkspaceError, DefenderError, keys.VaultKeyError, IntegrityError,
            LookupError, ValueError, OSError)


def fail(message: str, code: int = 2) -> NoReturn:
    # Escaped: messages quote user data and STIX patterns such as "[domain-name:value = …]".
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Expected problems become one clear line and exit code 2, never a traceback."""
    try:
        yield
    except expected() as exc:
        fail(str(exc))


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`--map FIELD=COLUMN` options as a dict; a malformed one is a usage error."""
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            fail(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def settings() -> Settings:
    from amparo.config import Settings

    return Settings.from_env(_state["home"])


@contextmanager
def workspace() -> Iterator[Workspace]:
    from amparo.store.workspace import Workspace

    with friendly_errors():
        ws = Workspace.open(settings())
        if ws.key_mode == "insecure-demo":
            err.print("[yellow]warning:[/] this workspace uses the INSECURE demo key stored "
                      "beside the data; do not keep real evidence in it.")
        try:
            yield ws
        finally:
            ws.close()


