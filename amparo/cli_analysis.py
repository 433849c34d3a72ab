"""Commands that run and show the detectors: `analyze`, `findings list`, `findings triage`,
`detectors`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from amparo.cli_common import (
    check_writable,
    country_code,
    err,
    fail,
    friendly_errors,
    one_of,
    out,
    workspace,
)
from amparo.detect.base import LABELS, DetectorContext, Finding, Severity, TextItem
from amparo.digest import sha256_file
from amparo.errors import user_file

if TYPE_CHECKING:
    from rich.progress import Progress

# The pipeline, the detectors and the store are imported inside the commands that use them
# (see cli.py).

findings_app = typer.Typer(no_args_is_help=True, help="Findings of the detectors.")
iocs_app = typer.Typer(no_args_is_help=True,
                       help="Spyware and phishing indicator collections (STIX 2, MISP, CSV).")



def _detector_names() -> list[str]:
    from amparo.detect.registry import DETECTORS

    return list(DETECTORS)


def _label_names() -> list[str]:
    """Every label, and every family (`doxing` for doxing.phone ...), as --label accepts."""
    families = dict.fromkeys(label.split(".")[0] for label in LABELS)
    return [*families, *LABELS]


Detectors = Annotated[list[str] | None, typer.Option(
    "--detector", "-d", help="Run only this detector; repeat for several.",
    callback=one_of(_detector_names))]
Workers = Annotated[int | None, typer.Option(help="Processes (default: the CPU count, ≤ 4).")]


class _Printer:
    """Renders findings as they arrive: JSON lines, or rows of a table printed at the end."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.rows: list[Finding] = []

    def add(self, findings: list[Finding]) -> None:
        if self.as_json:
            for f in findings:
                sys.stdout.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
        else:
            self.rows.extend(findings)

    def table(self) -> None:
        if self.as_json:
            return
        table = Table("message", "severity", "label", "score", "why")
        for f in sorted(self.rows, key=lambda f: (-f.severity, -f.score))[:200]:
            table.add_row(f.message_id, str(f.severity), f.label, f"{f.score:.2f}",
                          f.explanation)
        out.print(table)
        if len(self.rows) > 200:
            out.print(f"… {len(self.rows) - 200} more; use --json for all.")


def _progress(enabled: bool) -> Progress:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("Analysing"), BarColumn(), TextColumn("{task.completed:,.0f} "
                    "messages"), TimeElapsedColumn(), console=err, transient=True,
                    disable=not enabled)


def _items_from(path: str, printer_context: dict[str, str]) -> Iterator[TextItem]:
    from amparo.analysis_input import HashingLines, file_items, jsonl_items

    if path == "-":
        lines = HashingLines(sys.stdin.buffer)
        yield from jsonl_items(lines)
        printer_context["stdin"] = lines.digest.hexdigest()
    else:
        p = Path(path)
        with user_file(p):
            printer_context[p.name] = sha256_file(p) if p.is_file() else ""
        yield from file_items(p)


def analyze(
    path: Annotated[str | None, typer.Argument(
        help="A file to analyse without a workspace, or - for JSON lines on stdin.")] = None,
    defender: Annotated[str | None, typer.Option(
        help="Analyse this defender's stored messages and store the findings.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One finding per line.")] = False,
    detector: Detectors = None,
    workers: Workers = None,
    country: Annotated[str | None, typer.Option(
        help="Without a workspace: the defender's country, ISO code (phone numbers).",
        callback=country_code)]
    = None,
    manifest: Annotated[Path | None, typer.Option(
        help="Without a workspace: where to write the run manifest.")] = None,
) -> None:
    """Run the detectors over a defender's messages, or over a file or standard input."""
    from amparo.store import defenders
    from amparo.store.analysis import analyze_defender

    if (path is None) == (defender is None):
        fail("give either PATH (or -) or --defender")
    printer = _Printer(as_json)
    with _progress(not as_json and sys.stderr.isatty()) as bar:
        task = bar.add_task("analyse", total=None)

        def on_batch(findings: list[Finding], n: int) -> None:
            printer.add(findings)
            bar.advance(task, n)

        if defender is not None:
            with workspace() as ws, friendly_errors():
                with ws.session() as s:
                    defender_id = defenders.find_defender(s, defender).id
                run = analyze_defender(ws, defender_id, names=detector, workers=workers,
                                       on_batch=on_batch)
            summary = f"analysis run {run.id}: {run.messages} messages, {run.findings} findings"
            errors = json.loads(run.errors)
        else:
            assert path is not None
            summary, errors = _analyze_file(path, detector, workers, country, manifest,
                                            on_batch)
    printer.table()
    err.print(summary)
    for e in errors[:20]:
        err.print(f"[yellow]detector error[/] {e['detector']} (batch from {e['first_id']}): "
                  f"{e['error']}", highlight=False)


def _analyze_file(
    path: str, names: list[str] | None, workers: int | None, country: str | None,
    manifest_path: Path | None, on_batch: Any,
) -> tuple[str, list[dict[str, str]]]:
    from amparo import pipeline

    check_writable(manifest_path, "manifest")
    inputs: dict[str, str] = {}
    context = DetectorContext(country=country.upper() if country else None)
    with friendly_errors():
        report = pipeline.run(_items_from(path, inputs), names=names, context=context,
                              workers=workers,
                              on_batch=lambda r, n: on_batch(r.findings, n))
        man = pipeline.manifest(pipeline.detector_names(names), context, inputs,
                                report.detectors)
    finished = datetime.now(UTC)
    man.update(started_at=report.started_at.isoformat(), finished_at=finished.isoformat(),
               messages=report.messages, findings=report.findings,
               errors=[e.to_dict() for e in report.errors])
    target = manifest_path or Path(f"amparo-manifest-{finished:%Y%m%dT%H%M%SZ}.json")
    with friendly_errors(), user_file(target, "write the manifest"):
        target.write_text(json.dumps(man, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    return (f"{report.messages} messages, {report.findings} findings; manifest: "
            f"{target.resolve()}",
            [e.to_dict() for e in report.errors])


@findings_app.command("list")
def findings_list(
    defender: Annotated[str | None, typer.Option(help="Defender id or pseudonym.")] = None,
    label: Annotated[str | None, typer.Option(
        help="A label or a family, e.g. threat or doxing.watchlist.",
        callback=one_of(_label_names))] = None,
    min_severity: Annotated[str, typer.Option(
        help="info, low, medium, high or critical.",
        callback=one_of(lambda: [str(s) for s in Severity], fold_case=True))] = "info",
    status: Annotated[str | None, typer.Option(
        help="Triage status: new, confirmed, dismissed or escalated.",
        callback=one_of(lambda: ["new", "confirmed", "dismissed", "escalated"],
                        fold_case=True))] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many findings.")] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stored findings, most severe first, with why each was raised and their triage status."""
    from amparo.store import defenders
    from amparo.store.analysis import list_findings

    with workspace() as ws, friendly_errors(), ws.session() as s:
        defender_id = defenders.find_defender(s, defender).id if defender else None
        rows = list_findings(s, defender_id=defender_id, label=label,
                             min_severity=Severity.parse(min_severity), status=status,
                             limit=limit)
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    table = Table("id", "message", "severity", "label", "score", "status", "text", "why")
    for r in rows:
        text = r["text"].replace("\n", " ")
        table.add_row(str(r["id"]), str(r["message_id"]), r["severity"], r["label"],
                      f"{r['score']:.2f}", r["status"],
                      text[:60] + ("…" if len(text) > 60 else ""), r["explanation"])
    out.print(table)
    if len(rows) == limit:
        err.print(f"showing the first {limit} findings; use --limit for more.")


@findings_app.command("triage")
def findings_triage(
    ids: Annotated[list[int], typer.Argument(help="Finding ids (see `findings list`).")],
    confirm: Annotated[bool, typer.Option("--confirm", help="A real attack.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="A false alarm.")] = False,
    escalate: Annotated[bool, typer.Option("--escalate", help="Needs a coordinator now.")]
    = False,
    reason: Annotated[str, typer.Option(help="Why (kept in the custody log).")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Confirm, dismiss or escalate findings, with a reason; all or none are recorded."""
    from amparo import triage

    chosen = [s for s, on in (("confirmed", confirm), ("dismissed", dismiss),
                              ("escalated", escalate)) if on]
    if len(chosen) != 1:
        fail("give exactly one of --confirm, --dismiss or --escalate")
    with workspace() as ws, friendly_errors(), ws.write_lock():
        with ws.session() as s:
            changes = triage.triage(s, ids, chosen[0], reason, actor=ws.settings.actor)
        ws.after_commit()
    if as_json:
        sys.stdout.write(json.dumps([{"id": c.finding_id, "from": c.from_status,
                                      "to": c.to_status} for c in changes]) + "\n")
        return
    for c in changes:
        out.print(f"finding {c.finding_id}: {c.from_status} → {c.to_status}")
    if len(changes) < len(set(ids)):
        err.print(f"{len(set(ids)) - len(changes)} already had this decision and reason.")


def detectors() -> None:
    """List the detectors and the labels each can raise."""
    from amparo.detect.registry import DETECTORS

    for name, cls in DETECTORS.items():
        out.print(f"[bold]{name}[/] {cls.version}: {', '.join(cls.labels)}")
    out.print(f"Labels: {len(LABELS)} (see docs/labels.md)")


@iocs_app.command("import")
def iocs_import(
    paths: Annotated[list[Path], typer.Argument(help="STIX 2 bundles, MISP JSON, CSV or lists.")],
    name: Annotated[str | None, typer.Option(
        help="Collection name (default: the file name); one file only.")] = None,
    publisher: Annotated[str, typer.Option(help="Who published it, e.g. 'Amnesty Tech'.")]
    = "",
    strict: Annotated[bool, typer.Option(help="Refuse a file with any malformed value.")]
    = False,
) -> None:
    """Add indicator collections to the workspace; `analyze` matches links against them."""
    from amparo.store.indicators import import_indicators

    if name and len(paths) > 1:
        fail("--name needs exactly one file")
    with workspace() as ws, friendly_errors():
        for path in paths:
            info = import_indicators(ws, path, name=name, publisher=publisher, strict=strict)
            counts = ", ".join(f"{n} {k}s" for k, n in info["counts"].items() if n)
            out.print(f"{path.name}: collection '{info['name']}' with {counts}.")
            for skipped in info["skipped"][:10]:
                err.print(f"[yellow]skipped[/] {skipped}", highlight=False)


@iocs_app.command("list")
def iocs_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The indicator collections in the workspace (the bundled snapshot is always used too)."""
    from amparo.store.indicators import list_indicator_collections

    with workspace() as ws, friendly_errors():
        rows = list_indicator_collections(ws)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table("collection", "origin", "domains", "urls", "ips", "emails")
    for r in rows:
        c = r["counts"]
        table.add_row(r["name"], r["origin"], *(str(c.get(k, 0)) for k in
                                                ("domain", "url", "ip", "email")))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(analyze)
    app.command()(detectors)
    app.add_typer(findings_app, name="findings")
    app.add_typer(iocs_app, name="iocs")
