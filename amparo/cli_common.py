"""What every command shares: consoles, clear errors, settings and the open workspace."""

from __future__ import annotations

import errno
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from amparo.errors import AmparoError

if TYPE_CHECKING:  # imported where used: the store pulls in SQLAlchemy, Alembic, cryptography
    from amparo.config import Settings
    from amparo.store.workspace import Workspace

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Any] = {"home": None, "debug": False}

# Exit statuses: 1 `verify` found a problem, 2 the user's mistake or a damaged file (also
# click's usage errors), 70 a bug in Amparo (EX_SOFTWARE in sysexits.h).
USER_ERROR = 2
INTERNAL_ERROR = 70
# The machine's refusals, not Amparo's bugs, even when no file name comes with them.
_MACHINE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
# Typer's own signals (usage errors, Exit, Abort): typer prints and exits for them.
_TYPER = (typer.TyperException, typer.Exit, typer.Abort)


def fail(message: str, code: int = USER_ERROR) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def debug_enabled() -> bool:
    """`--debug` or AMPARO_DEBUG=1: show the traceback of every error."""
    flag = os.environ.get("AMPARO_DEBUG", "").strip().lower()
    return bool(_state["debug"]) or flag in ("1", "true", "yes", "on")


def report(exc: Exception) -> NoReturn:
    """One line for an exception that escaped a command, and its exit status. A user's problem
    (an AmparoError, or a file the system refused) reads as `error: ...`; anything else is a bug
    and says so, with the traceback only in debug mode (it can hold evidence text)."""
    if debug_enabled():
        traceback.print_exception(exc, file=sys.stderr)
    exc = _damage_behind(exc)
    if isinstance(exc, AmparoError):
        fail(str(exc))
    if isinstance(exc, OSError) and exc.filename is not None:
        # Files should be checked where they are opened; this names any the checks missed.
        fail(f"{exc.filename}: {exc.strerror or exc}")
    if isinstance(exc, OSError) and exc.errno in _MACHINE_ERRNOS:
        fail(f"{exc.strerror}: free space, or fix the permissions, and run the command again")
    first = next(iter(str(exc).splitlines()), "")[:200]
    hint = "" if debug_enabled() else " (run with AMPARO_DEBUG=1 for details)"
    err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {escape(first)}{hint}",
              highlight=False)
    raise typer.Exit(INTERNAL_ERROR)


# The workspaces open in this command, so that a failed query can be checked against them.
_open: list[Workspace] = []


def _damage_behind(exc: Exception) -> Exception:
    """A query that failed on a damaged database (a table dropped, a corrupt page, a server
    gone) is the file's problem, not a bug: check the structure and return what is damaged.
    If the structure is sound, the original error stands, reported as the bug it then is."""
    from sqlalchemy.exc import DBAPIError  # only loaded once a command has failed

    if not isinstance(exc, DBAPIError) or not _open:
        return exc
    from amparo.store.verify import check_database

    try:
        check_database(_open[-1])
    except AmparoError as damage:
        return damage
    return exc


def _is_broken_pipe(exc: Exception) -> bool:
    # `amparo ... | head`: click itself ends quietly on a closed pipe.
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Problems inside the block are reported at once by `report` (as the app would anyway)."""
    try:
        yield
    except _TYPER:
        raise
    except Exception as exc:
        if _is_broken_pipe(exc):
            raise
        report(exc)


@contextmanager
def json_errors(enabled: bool) -> Iterator[None]:
    """With --json, a refused input also prints {"error": {"file", "where", "message"}} on
    standard output, so a script reading it sees why (the error line still goes to stderr)."""
    try:
        yield
    except AmparoError as exc:
        if enabled:
            error = {"file": getattr(exc, "file", getattr(exc, "path", None)),
                     "where": getattr(exc, "where", None),
                     "message": getattr(exc, "reason", str(exc))}
            sys.stdout.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
        raise


class AmparoGroup(TyperGroup):
    """The root command: every exception a command lets escape goes through `report`, so no
    command prints a traceback unless asked to, and bugs are never passed off as user errors."""

    def invoke(self, ctx: Any) -> Any:
        with friendly_errors():
            return super().invoke(ctx)


def one_of(vocabulary: Callable[[], Iterable[str]], *, also: Iterable[str] = (),
           fold_case: bool = False, described: str | None = None) -> Callable[[Any], Any]:
    """An option callback: a value outside `vocabulary` (or `also`) is a usage error that lists
    the valid ones (or says `described`, for long lists). The vocabulary is read only when a
    value has to be checked."""
    accepted = list(also)

    def fold(value: str) -> str:
        return value.lower() if fold_case else value

    def check(value: Any) -> Any:
        if value is None:
            return value
        valid: list[str] | None = None
        for given in value if isinstance(value, list | tuple) else [value]:
            if given in accepted:
                continue
            valid = valid if valid is not None else [*accepted, *vocabulary()]
            if fold(given) not in {fold(v) for v in valid}:
                raise typer.BadParameter(
                    f"{given!r} is not {described}" if described
                    else f"{given!r} is not one of: {', '.join(valid)}")
        return value

    return check


def _regions() -> list[str]:
    import phonenumbers

    return sorted(phonenumbers.SUPPORTED_REGIONS)


country_code = one_of(_regions, fold_case=True,
                      described="an ISO 3166 two-letter country code, e.g. BR, CO or KE")


def language_codes(values: list[str] | None) -> list[str] | None:
    """An option callback: ISO 639 codes (two or three lower-case letters, e.g. pt, es, quc)."""
    for value in values or []:
        if not (value.isascii() and value.isalpha() and value.islower()
                and len(value) in (2, 3)):
            raise typer.BadParameter(f"{value!r} is not an ISO 639 language code such as pt, "
                                     "es, fr or quc; repeat the option for several")
    return values


def time_zone(value: str | None) -> str | None:
    """An option callback for IANA time zone names, suggesting near misses."""
    if not value:
        return value
    import difflib
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        ZoneInfo(value)
        return value
    except (ZoneInfoNotFoundError, ValueError, OSError):
        near = difflib.get_close_matches(value, sorted(available_timezones()), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise typer.BadParameter(f"{value!r} is not an IANA time zone name such as "
                                 f"America/Bogota or Africa/Lagos{hint}") from None


def check_writable(path: Path | None, what: str) -> None:
    """Refuse an output path before a long run, not after it: a folder, or a missing folder."""
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        fail(f"{path}: cannot write the {what} there (it is a folder, or its folder does not "
             "exist)")


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

    home: Path | None = _state["home"]
    return Settings.from_env(home)


@contextmanager
def workspace(*, report_recovery: bool = True) -> Iterator[Workspace]:
    """The open workspace. Afterwards, says on stderr if opening it for writing finished or
    undid a write a crash had interrupted (`verify` reports that itself)."""
    from amparo.store.workspace import Workspace

    with friendly_errors():
        ws = Workspace.open(settings())
        if ws.key_mode == "insecure-demo":
            err.print("[yellow]warning:[/] this workspace uses the INSECURE demo key stored "
                      "beside the data; do not keep real evidence in it.")
        _open.append(ws)
        try:
            # Reported here, while the workspace is open: a failed query is checked against it.
            with friendly_errors():
                yield ws
        finally:
            _open.remove(ws)
            ws.close()
            if report_recovery and ws.recovered:
                err.print(f"note: finished an interrupted write: {ws.recovered.summary()}.",
                          highlight=False)
