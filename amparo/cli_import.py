"""The commands that read exports into the workspace: `amparo import` and `amparo evidence
reread` (parse the options, call the import or re-read service, render its report)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from amparo.cli_common import (
    err,
    fail,
    friendly_errors,
    json_errors,
    one_of,
    out,
    parse_map,
    settings,
    time_zone,
    workspace,
)

if TYPE_CHECKING:  # the importers and the store are imported where used (see cli.py)
    from amparo.ingest import ImportOptions


@contextmanager
def progress_counter(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,.0f} records"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("Importing", total=None)
        yield lambda n: bar.advance(task, n)


def _import_formats() -> list[str]:
    from amparo.ingest.registry import IMPORTERS

    return sorted(IMPORTERS)


# How an export is read: shared by `import` and `evidence reread`.
FormatOption = Annotated[str, typer.Option("--format", help="auto, or one of `amparo formats`.",
                                           callback=one_of(_import_formats, also=["auto"]))]
TimezoneOption = Annotated[str | None, typer.Option(
    help="Zone of local times in the export (default: the defender's).", callback=time_zone)]
EncodingOption = Annotated[str | None, typer.Option(help="Text encoding, if not UTF-8.")]
DayFirstOption = Annotated[bool | None, typer.Option(
    "--day-first/--month-first", help="Settle an ambiguous date order.")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="FIELD=COLUMN for generic CSV/JSONL; repeat.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _reading(encoding: str | None, day_first: bool | None, column_map: list[str] | None
             ) -> ImportOptions:
    from amparo.ingest import ImportOptions

    return ImportOptions(encoding=encoding, day_first=day_first,
                         column_map=parse_map(column_map or []))


def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or zips to import.")],
    defender: Annotated[str | None, typer.Option(help="Defender id or pseudonym.")] = None,
    fmt: FormatOption = "auto",
    dry: Annotated[bool, typer.Option("--dry-run", help="Parse only; store nothing.")] = False,
    as_json: JsonOption = False,
    timezone: TimezoneOption = None,
    encoding: EncodingOption = None,
    day_first: DayFirstOption = None,
    column_map: MapOption = None,
    reason: Annotated[str, typer.Option(help="Why, for the custody log.")] = "",
    strict: Annotated[bool, typer.Option(help="Refuse the import if any record is bad.")]
    = False,
) -> None:
    """Preserve exports in the vault and store their messages (all or nothing)."""
    from amparo.store import defenders
    from amparo.store.importing import dry_run, import_paths

    options = _reading(encoding, day_first, column_map)
    if dry:
        with friendly_errors(), json_errors(as_json):
            report = dry_run(paths, fmt, options, settings().limits, timezone)
    else:
        if defender is None:
            fail("--defender is required (or use --dry-run)")
        with workspace() as ws, friendly_errors(), json_errors(as_json):
            with ws.session() as s:
                defender_id = defenders.find_defender(s, defender).id
            with progress_counter(not as_json and sys.stderr.isatty()) as tick:
                report = import_paths(ws, defender_id, paths, fmt=fmt, options=options,
                                      timezone=timezone, reason=reason, strict=strict,
                                      on_progress=tick)
    summary = report.summary()
    if as_json:
        if dry:
            summary = {k: summary[k] for k in ("format", "messages", "accounts", "errors",
                                               "files", "left_out")}
            summary["files"] = [{k: f[k] for k in DRY_FILE_KEYS} for f in summary["files"]]
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    given = [flag for flag, on in (
        ("--day-first", day_first is True), ("--month-first", day_first is False),
        (f"--timezone {timezone}", bool(timezone)), (f"--encoding {encoding}", bool(encoding)),
        (" ".join(f"--map {m}" for m in column_map or []), bool(column_map))) if on]
    _print_import(summary, given)


DRY_FILE_KEYS = ("path", "format", "messages", "system", "accounts", "error_count",
                 "assumptions")


def _print_import(summary: dict[str, Any], given: list[str]) -> None:
    verb = "Would import" if summary["dry_run"] else "Imported"
    for f in summary["files"]:
        if f["already_imported"]:
            _print_already(f, given)
            continue
        stored = "" if summary["dry_run"] else f", {f['new_messages']} new"
        out.print(f"{verb} {f['path']} as {f['format']}: {f['messages']} messages, "
                  f"{f['system']} system events, {f['accounts']} accounts{stored}.",
                  highlight=False)
        _print_details(f)
    for lo in summary["left_out"]:
        out.print(f"Left out {lo['path']}: {lo['why']}.", highlight=False)


def _print_already(f: dict[str, Any], given: list[str]) -> None:
    """An original already preserved is not read again by `import`; say how to re-read it
    when it was stored under another format, or options were given this time."""
    ids = ", ".join(str(e["id"]) for e in f["evidence"])
    out.print(f"{f['path']}: already imported (evidence {ids}), nothing added.", highlight=False)
    other = sorted({e["stored_format"] for e in f["evidence"]} - {f["format"]})
    if f["assumptions"][0]["basis"] == "given":
        given = [f"--format {f['format']}", *given]
    if other:
        why = f"It was stored as {', '.join(other)} but now reads as {f['format']}"
    elif not any(e["messages"] for e in f["evidence"]):
        why = "No message was ever read from it"
    elif given:
        why = f"{' '.join(given)} did not change what was stored"
    else:
        return
    flags = "".join(f" {g}" for g in given)
    out.print(f"  {why}: 'amparo evidence reread {f['evidence'][0]['id']}{flags} --reason ...' "
              "reads the preserved original again.", highlight=False)


def _print_details(f: dict[str, Any]) -> None:
    for a in f["assumptions"]:
        # The format and zone concern the whole export; other notes name their file.
        of = "" if a["topic"] in ("format", "time_zone") else f" of {a['file']}"
        out.print(f"  {a['topic'].replace('_', ' ')}{of}: {a['value']} ({a['basis']}) — "
                  f"{a['detail']}", highlight=False)
    for e in f["errors"][:20]:
        out.print(f"  skipped {e['file']}, {e['where']}: {e['message']}", highlight=False)
    if f["error_count"] > 20:
        out.print(f"  ... and {f['error_count'] - 20} more skipped records")


def evidence_reread(
    item_id: Annotated[int, typer.Argument(help="An evidence item of the export to re-read.")],
    reason: Annotated[str, typer.Option(help="Why; recorded in the custody log.")],
    fmt: FormatOption = "auto",
    timezone: TimezoneOption = None,
    encoding: EncodingOption = None,
    day_first: DayFirstOption = None,
    column_map: MapOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Read a preserved original again with other options, replacing its messages."""
    from amparo.store.reread import reread_evidence

    options = _reading(encoding, day_first, column_map)
    if not yes:
        typer.confirm(f"Replace the messages read from evidence item {item_id} (findings and "
                      "campaign links on them are deleted)?", abort=True)
    with workspace() as ws, friendly_errors(), json_errors(as_json):
        report = reread_evidence(ws, item_id, reason=reason, fmt=fmt, options=options,
                                 timezone=timezone)
    summary = report.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    for f in summary["files"]:
        out.print(f"Read {f['path']} as {f['format']}: {f['messages']} messages, "
                  f"{f['system']} system events, {f['accounts']} accounts.", highlight=False)
        _print_details(f)
    for lo in summary["left_out"]:
        out.print(f"Left {lo['path']} as it was: {lo['why']}.", highlight=False)
    gone = summary["removed"]
    out.print(f"Evidence {item_id}: {gone['messages']} messages replaced by "
              f"{summary['messages']}; deleted with the old messages: {gone['findings']} "
              f"findings, {gone['campaign_links']} campaign links.", highlight=False)
    if gone["findings"] or gone["campaign_links"]:
        out.print("Run the analysis again (amparo analyze, amparo campaigns detect).")


def register(app: typer.Typer, evidence_app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    evidence_app.command("reread")(evidence_reread)
