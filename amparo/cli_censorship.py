"""`amparo censorship`: verdicts on OONI measurements (no workspace needed)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from amparo.cli_common import err, fail, friendly_errors, out

TABLE_ROWS = 1000
censorship_app = typer.Typer(no_args_is_help=True,
                             help="Censorship context from OONI measurements.")


@censorship_app.command()
def analyze(
    path: Annotated[Path, typer.Argument(help="An OONI .json/.jsonl file (or .gz), or a folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per measurement.")]
    = False,
) -> None:
    """Reach a verdict for each measurement from its raw observations."""
    # Imported here: `amparo --help` loads none of the analysis.
    from amparo.censorship.analysis import analyze as verdict_of
    from amparo.censorship.reader import BadRecord, ReadError, read_path

    counts: Counter[str] = Counter()
    bad: list[BadRecord] = []
    rows: list[dict[str, Any]] = []
    disagreements = confirmed = 0
    with friendly_errors():
        try:
            for record in read_path(path):
                if isinstance(record, BadRecord):
                    bad.append(record)
                    err.print(f"skipped: {escape(str(record))}", highlight=False)
                    continue
                v = verdict_of(record)
                row: dict[str, Any] = {
                    "report_id": record.report_id, "input": record.input,
                    "test_name": record.test_name, "probe_cc": record.probe_cc,
                    "probe_asn": record.probe_asn,
                    "measurement_start_time": record.measurement_start_time,
                    "verdict": v.verdict, "confirmed": v.confirmed,
                }
                if record.measurement_uid is not None:
                    row["measurement_uid"] = record.measurement_uid
                if v.fingerprint:
                    row["fingerprint"] = v.fingerprint
                if v.probe_verdict is not None:
                    row["probe_verdict"], row["agrees"] = v.probe_verdict, v.agrees
                    disagreements += not v.agrees
                row["reason"] = v.reason
                counts[v.verdict] += 1
                confirmed += v.confirmed
                if as_json:
                    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
                elif len(rows) < TABLE_ROWS:  # memory stays bounded on large folders
                    rows.append(row)
        except ReadError as exc:
            fail(str(exc))
    if not as_json:
        _table(rows)
        if sum(counts.values()) > len(rows):
            out.print(f"(the first {len(rows)} shown; --json prints them all)")
        summary = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "none"
        out.print(f"{sum(counts.values())} measurements: {summary}; {confirmed} confirmed by a "
                  f"blockpage fingerprint; {disagreements} verdicts differ from the probe's; "
                  f"{len(bad)} bad records.", highlight=False)
    if bad and not counts:
        raise typer.Exit(2)


def _table(rows: list[dict[str, Any]]) -> None:
    table = Table("test", "input", "country", "network", "verdict", "probe said", "reason")
    for row in rows:
        verdict = row["verdict"] + (" (confirmed)" if row["confirmed"] else "")
        probe = row.get("probe_verdict", "")
        if probe and not row["agrees"]:
            probe += " (differs)"
        table.add_row(escape(row["test_name"]), escape(row["input"] or ""),
                      escape(row["probe_cc"]), escape(row["probe_asn"]), verdict,
                      escape(probe), escape(row["reason"]))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(censorship_app, name="censorship")
