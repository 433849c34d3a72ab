"""The `amparo` command line. Each command parses its input, calls one service, and renders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from amparo import __version__, cli_analysis, cli_cases, cli_censorship, cli_import, cli_web
from amparo.cli_campaigns import campaigns_app
from amparo.cli_common import (
    AmparoGroup,
    _state,
    country_code,
    err,
    fail,
    friendly_errors,
    language_codes,
    one_of,
    out,
    settings,
    time_zone,
    workspace,
)
from amparo.domain import WATCH_KINDS

# The store, importers and detectors are imported inside the commands that use them, so that
# `amparo --help` and `amparo version` do not load SQLAlchemy, Alembic or the detectors'
# libraries (tests/test_cli_startup.py checks what importing this module loads).

# Tracebacks never show local variables: they can hold keys, passphrases and evidence text.
app = typer.Typer(cls=AmparoGroup, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  pretty_exceptions_show_locals=False,
                  help="Amparo: preserve, triage and report online attacks on defenders.")
defender_app = typer.Typer(no_args_is_help=True, help="Defenders and their watchlists.")
messages_app = typer.Typer(no_args_is_help=True, help="Read stored messages.")
evidence_app = typer.Typer(no_args_is_help=True, help="Preserved originals.")
custody_app = typer.Typer(no_args_is_help=True, help="The chain-of-custody log.")
app.add_typer(defender_app, name="defender")
app.add_typer(messages_app, name="messages")
app.add_typer(evidence_app, name="evidence")
app.add_typer(custody_app, name="custody")

@app.callback()
def main(
    home: Annotated[Path | None, typer.Option(help="Workspace folder (AMPARO_HOME).")] = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of any error (also AMPARO_DEBUG=1).")] = False,
) -> None:
    _state["home"] = home
    _state["debug"] = debug


@app.command()
def version() -> None:
    """Print Amparo's version."""
    out.print(__version__)


@app.command()
def init(
    key_file: Annotated[Path | None, typer.Option(
        help="Create or use this 32-byte key file (keep it outside the workspace).")] = None,
    insecure_demo_key: Annotated[bool, typer.Option(
        help="Store the key beside the data. For demos and tests only.")] = False,
) -> None:
    """Create a workspace: database, encrypted vault and custody log."""
    from amparo.store.workspace import Workspace

    cfg = settings()
    key_file = key_file or cfg.key_file
    if insecure_demo_key:
        mode, passphrase = "insecure-demo", None
    elif key_file is not None:
        mode, passphrase = "keyfile", None
    else:
        mode = "passphrase"
        passphrase = cfg.passphrase or typer.prompt(
            "Passphrase for the evidence vault", hide_input=True, confirmation_prompt=True)
    with friendly_errors():
        ws = Workspace.create(cfg, key_mode=mode, passphrase=passphrase, key_file=key_file)
        ws.close()
    out.print(f"Workspace ready in {cfg.home} (key: {mode}).")


@defender_app.command("add")
def defender_add(
    name: Annotated[str, typer.Argument(help="Pseudonym; avoid the defender's real name.")],
    country: Annotated[str | None, typer.Option(
        help="ISO 3166 two-letter code.", callback=country_code)] = None,
    language: Annotated[list[str] | None, typer.Option(
        "--language", "-l", help="ISO 639 language code; repeat for several.",
        callback=language_codes)] = None,
    timezone: Annotated[str | None, typer.Option(
        help="IANA zone, e.g. America/Bogota.", callback=time_zone)] = None,
) -> None:
    """Register a defender; prints the new id."""
    from amparo.store import defenders

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            d = defenders.add_defender(s, name, actor=ws.settings.actor, country=country,
                                       languages=language, timezone=timezone)
            new_id = d.id
        ws.after_commit()
    out.print(new_id)


@defender_app.command("list")
def defender_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List defenders."""
    from amparo.store import defenders

    with workspace() as ws, ws.session() as s:
        rows = [{"id": d.id, "pseudonym": d.pseudonym, "country": d.country,
                 "languages": d.languages, "timezone": d.timezone}
                for d in defenders.list_defenders(s)]
    if as_json:
        out.print_json(data=rows)
        return
    table = Table("id", "pseudonym", "country", "languages", "timezone")
    for r in rows:
        table.add_row(*(str(r[k] or "") for k in ("id", "pseudonym", "country", "languages",
                                                  "timezone")))
    out.print(table)


@defender_app.command("watch")
def defender_watch(
    defender: Annotated[str, typer.Argument(help="Defender id or pseudonym.")],
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(WATCH_KINDS)}.")],
    value: Annotated[str, typer.Argument(help="The private value to watch for in messages.")],
) -> None:
    """Add private data (stored encrypted) that must raise an alarm if it appears in messages."""
    from amparo.store import defenders

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            d = defenders.find_defender(s, defender)
            entries = defenders.add_watch_entry(s, ws.key, d, kind, value,
                                                actor=ws.settings.actor)
        ws.after_commit()
    out.print(f"Watchlist of defender {d.id} now has {len(entries)} entries.")


def _kinds() -> list[str]:
    from amparo.domain import MessageKind

    return [k.value for k in MessageKind]


def _platforms() -> list[str]:
    from amparo.domain import Platform

    return [p.value for p in Platform]


@app.command()
def formats() -> None:
    """List the import formats."""
    from amparo.ingest.registry import IMPORTERS

    for name, cls in sorted(IMPORTERS.items()):
        out.print(f"{name:10} {cls.description}")


@messages_app.command("list")
def messages_list(
    defender: Annotated[str | None, typer.Option(help="Defender id or pseudonym.")] = None,
    kind: Annotated[str | None, typer.Option(help="user or system.", callback=one_of(_kinds))]
    = None,
    platform: Annotated[str | None, typer.Option(
        help="whatsapp, telegram, email ... (the formats' platforms).",
        callback=one_of(_platforms))] = None,
    search: Annotated[str | None, typer.Option(help="Only messages containing this text.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List messages, oldest first (a page at a time: --limit and --offset)."""
    from amparo.store import defenders
    from amparo.store.messages import MessageFilter, count_messages, list_messages

    with workspace() as ws, friendly_errors(), ws.session() as s:
        defender_id = defenders.find_defender(s, defender).id if defender else None
        wanted = MessageFilter(defender_id=defender_id, kind=kind, platform=platform,
                               contains=search, limit=limit, offset=offset)
        rows = list_messages(s, wanted)
        # Count only when the page may not hold everything.
        total = (offset + len(rows) if offset == 0 and len(rows) < limit
                 else count_messages(s, wanted))
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        table = Table("id", "time (UTC)", "platform", "author", "text", show_lines=False)
        for r in rows:
            text = r["text"].replace("\n", " ")
            table.add_row(str(r["id"]), (r["timestamp_utc"] or "")[:19], r["platform"],
                          r["author"] or "", text[:80] + ("…" if len(text) > 80 else ""))
        out.print(table)
    # On stderr, so that --json output stays one message per line.
    if not rows and total:
        err.print(f"--offset {offset} skips all {total} messages.", highlight=False)
    elif len(rows) < total:
        err.print(f"showing {offset + 1}–{offset + len(rows)} of {total} messages; use --limit "
                  "and --offset for the others.", highlight=False)


@messages_app.command("show")
def messages_show(
    message_id: Annotated[int, typer.Argument()],
    original: Annotated[bool, typer.Option(
        help="Also show the original bytes from the vault (logged as a view).")] = False,
    reason: Annotated[str, typer.Option(help="Why, for the custody log.")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one message in full, with where it sits in its original."""
    from amparo.store.messages import get_message, original_context

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            msg = get_message(s, message_id)
        if msg is None:
            fail(f"no message {message_id}")
        if original:
            msg["original"] = original_context(ws, message_id, reason=reason)
    if as_json:
        sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\n")
        return
    from amparo.cli_render import message_fields

    fields = message_fields(msg)
    width = max(len(label) for label, _ in fields)
    for label, text in fields:
        out.print(f"[bold]{label + ':':{width + 1}}[/] {escape(text)}", highlight=False)
    out.rule("text")
    out.print(msg["text"] or "(no text)", highlight=False, markup=False)
    if original:
        out.rule("original")
        out.print(msg["original"], highlight=False, markup=False)


@evidence_app.command("list")
def evidence_list(
    defender: Annotated[str | None, typer.Option(help="Defender id or pseudonym.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List preserved originals with their SHA-256."""
    from amparo.store import defenders
    from amparo.store.evidence import list_evidence

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            defender_id = defenders.find_defender(s, defender).id if defender else None
        rows = list_evidence(ws, defender_id)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    # Not a table: a narrow terminal would cut the hash, which caseworkers quote whole.
    for r in rows:
        out.print(f"[bold]{r['id']}[/] {escape(r['name'])} ({r['format']}, {r['messages']} "
                  f"messages, {r['size']:,} bytes, defender {r['defender_id']})\n"
                  f"  acquired {r['acquired_at'][:19].replace('T', ' ')} UTC by "
                  f"{escape(r['acquired_by'])}\n  sha256 {r['sha256']}", highlight=False)
    if not rows:
        out.print("No evidence items.")


@evidence_app.command("delete")
def evidence_delete(
    item_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why; recorded in the custody log.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an original and its messages (recorded, with the reason, in the custody log)."""
    from amparo.store.evidence import delete_evidence

    if not yes:
        typer.confirm(f"Delete evidence item {item_id} and its messages for good?", abort=True)
    with workspace() as ws, friendly_errors():
        details = delete_evidence(ws, item_id, reason=reason)
    out.print(f"Deleted evidence item {item_id} ({details['name']}) and "
              f"{details['messages']} messages.")


@app.command()
def verify(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    anchor: Annotated[list[Path] | None, typer.Option(
        help="A copy of custody.head or an exported log kept elsewhere; the log must still "
             "hold its last entry. Repeat for several.")] = None,
) -> None:
    """Check the database, re-hash every original and walk the custody chain; exit 1 on any
    problem."""
    from amparo.store import anchors
    from amparo.store.verify import verify_workspace

    with friendly_errors():
        copies = [anchors.read_anchor(path) for path in anchor or []]
    with workspace(report_recovery=False) as ws, friendly_errors():
        report = verify_workspace(ws, copies)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        if report.recovered:
            out.print(f"Finished an interrupted write: {report.recovered.summary()}.",
                      highlight=False)
        for p in report.problems:
            out.print(f"[red]FAIL[/] {p}", highlight=False)
        if report.ok:
            out.print(f"OK: {report.blobs_checked} originals intact, custody chain of "
                      f"{report.entries_checked} entries intact ({report.checkpoints} signed "
                      "checkpoints, head file agrees).")
    if not report.ok:
        raise typer.Exit(1)


@custody_app.command("list")
def custody_list(
    limit: Annotated[int | None, typer.Option(help="Only the first N entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the custody log: who did what, when and why."""
    from amparo.store import custody

    with workspace() as ws, ws.session() as s:
        rows = custody.list_entries(s, limit=limit)
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    table = Table("seq", "at (UTC)", "actor", "action", "object", "reason")
    for r in rows:
        table.add_row(str(r["seq"]), r["at"][:19], r["actor"], r["action"],
                      f"{r['object_type']} {r['object_id']}", r["reason"])
    out.print(table)


@custody_app.command("export")
def custody_export(
    output: Annotated[Path, typer.Argument(help="JSON-lines file to write.")],
) -> None:
    """Write the whole log as JSON lines, to keep or hand over as an external anchor."""
    from amparo.store import custody

    with workspace() as ws, ws.session() as s:
        rows = custody.list_entries(s)
        public_key = ws.custody_key.public_hex
    output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    last = rows[-1] if rows else {"seq": 0, "hash": custody.GENESIS}
    out.print(f"Wrote {len(rows)} entries to {output}; last entry {last['seq']} has hash "
              f"{last['hash']}.\nCheckpoints are signed with public key {public_key}: keep "
              "it with the file and check with 'amparo custody check FILE --public-key KEY'.",
              highlight=False)


@custody_app.command("check")
def custody_check(
    file: Annotated[Path, typer.Argument(help="A log written by 'amparo custody export'.")],
    public_key: Annotated[str | None, typer.Option(
        help="The signing key 'custody export' printed; without it, checkpoints are only "
             "checked against the key they name.")] = None,
) -> None:
    """Verify an exported log on its own: no workspace or vault key needed."""
    from amparo.store import custody

    with friendly_errors():
        lines = _read_exported_log(file)
    walk = custody.check_exported(lines, public_key)
    for p in walk.problems:
        out.print(f"[red]FAIL[/] {p}", highlight=False)
    if walk.problems:
        raise typer.Exit(1)
    signed = ""
    if walk.checkpoints:
        whose = ("the key given" if public_key else
                 f"key {next(iter(walk.keys))}: compare it with the key printed by "
                 "'amparo custody export', or pass --public-key")
        signed = f"; {walk.checkpoints} checkpoints, the last at entry {walk.last_checkpoint}, " \
                 f"signed by {whose}"
    out.print(f"OK: {walk.entries} entries, chain intact{signed}.", highlight=False)


def _read_exported_log(file: Path) -> list[str]:
    from amparo.errors import InvalidValue, user_file

    with user_file(file):
        data = file.read_bytes()
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"{file}: not a log written by 'amparo custody export' (not UTF-8 "
                           f"text at byte {exc.start})") from None


@custody_app.command("acknowledge")
def custody_acknowledge(
    seq: Annotated[int, typer.Argument(help="The custody.anomaly entry that was reviewed.")],
    reason: Annotated[str, typer.Option(help="What was checked and found; for the log.")],
) -> None:
    """Record that a recorded log anomaly was reviewed, so verify stops failing on it (the
    anomaly and the acknowledgement both stay in the log)."""
    from amparo.store import custody

    with workspace() as ws, friendly_errors():
        with ws.write_lock(), ws.session() as s:
            custody.acknowledge(s, seq, actor=ws.settings.actor, reason=reason)
        ws.after_commit()
    out.print(f"Custody entry {seq} acknowledged.")


@app.command()
def export(
    defender: Annotated[str, typer.Option(help="Defender id or pseudonym.")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.",
                                     callback=one_of(lambda: ["jsonl", "csv"]))] = "jsonl",
    output: Annotated[Path | None, typer.Option(
        help="File to write (default: amparo-export-ID.FORMAT in the current folder).")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
    reason: Annotated[str, typer.Option(help="Why, for the custody log.")] = "",
) -> None:
    """Export a defender's messages with their evidence hashes and locators."""
    from amparo.store import defenders
    from amparo.store.export import export_messages

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            d = defenders.find_defender(s, defender)
            defender_id, name = d.id, d.pseudonym
        target = output or Path(f"amparo-export-{defender_id}.{fmt}")
        result = export_messages(ws, defender_id, target, fmt, reason, overwrite=force)
    out.print(f"Exported {result['messages']} messages of {escape(name)} to {result['file']}",
              highlight=False)
    out.print(f"sha256 of the file (in the custody log): {result['sha256']}", highlight=False)


@app.command()
def demo(
    reset: Annotated[bool, typer.Option(help="Rebuild the demo workspace from scratch.")]
    = False,
) -> None:
    """Build a demo workspace with a fictional defender's data and show what was imported."""
    from amparo.demo import run_demo

    with friendly_errors():
        run_demo(settings(), out, reset=reset)


cli_analysis.register(app)
cli_import.register(app, evidence_app)
cli_web.register(app)
cli_cases.register(app)
app.add_typer(campaigns_app, name="campaigns")
cli_censorship.register(app)
