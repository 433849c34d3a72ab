"""`amparo campaigns`: detect coordinated campaigns in files or a defender's messages."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from amparo.cli_common import (
    check_writable,
    err,
    fail,
    friendly_errors,
    one_of,
    out,
    parse_map,
    workspace,
)
from amparo.errors import user_file

campaigns_app = typer.Typer(no_args_is_help=True,
                            help="Coordinated campaigns: many accounts acting as one.")

# The optional extra `amparo[campaigns]` (pyproject.toml) that every campaigns command needs.
EXTRA = "campaigns"
STACK = ("pandas", "pyarrow", "duckdb", "networkx", "dask", "distributed")


def missing_stack() -> list[str]:
    """The modules of the campaign stack that cannot be imported here (found, not loaded)."""
    missing = []
    for name in STACK:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
            found = False
        if not found:
            missing.append(name)
    return missing


@campaigns_app.callback()
def _require_stack() -> None:
    # Runs before any campaigns command (not for --help): say which extra to install instead
    # of failing later with a ModuleNotFoundError.
    missing = missing_stack()
    if missing:
        fail(f"`amparo campaigns` needs the optional campaign stack, which is not installed "
             f"(missing: {', '.join(missing)}). Install it with: pip install 'amparo[{EXTRA}]' "
             "(`make install` includes it).")


def _exports(detection: Any, inputs: Any, graphml: Path | None, gexf: Path | None,
             timeline_file: Path | None) -> None:
    import networkx as nx

    from amparo.campaigns.detect import campaign_graph, timeline

    if graphml or gexf:
        graph = campaign_graph(detection)
        if graphml:
            with user_file(graphml, "write"):
                nx.write_graphml(graph, graphml)
            err.print(f"network written to {graphml.resolve()}", highlight=False)
        if gexf:
            with user_file(gexf, "write"):
                nx.write_gexf(graph, gexf)
            err.print(f"network written to {gexf.resolve()}", highlight=False)
    if timeline_file:
        with user_file(timeline_file, "write"):
            timeline_file.write_text(json.dumps(timeline(detection, inputs), indent=2) + "\n",
                                     encoding="utf-8")
        err.print(f"timeline written to {timeline_file.resolve()}", highlight=False)


@campaigns_app.command("detect")
def detect(
    path: Annotated[Path | None, typer.Argument(
        help="CSV, Parquet or JSON lines of posts (CooRTweet columns work as they are).")]
    = None,
    defender: Annotated[str | None, typer.Option(
        help="Detect in this defender's stored messages and store the campaigns.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"campaigns": [...]}.')]
    = False,
    engine: Annotated[str, typer.Option(
        help="local or dask.", callback=one_of(lambda: ["local", "dask"]))] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (default: a local cluster).")] = None,
    column_map: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN, e.g. account_id=user; repeat.")] = None,
    window: Annotated[float | None, typer.Option(
        min=0.001, help="Co-sharing window in seconds (default: estimated from the data).")]
    = None,
    graphml: Annotated[Path | None, typer.Option(help="Write the account network here.")]
    = None,
    gexf: Annotated[Path | None, typer.Option(help="Write the network for Gephi here.")]
    = None,
    timeline_file: Annotated[Path | None, typer.Option(
        "--timeline", help="Write posts per campaign over time (JSON) here.")] = None,
) -> None:
    """Find groups of accounts that share the same links, hashtags or texts in lockstep."""
    from amparo.campaigns.engines import make_engine
    from amparo.campaigns.io import CampaignInputError, load_file
    from amparo.campaigns.model import Settings

    if (path is None) == (defender is None):
        fail("give either PATH or --defender")
    for target, what in ((graphml, "network"), (gexf, "network"), (timeline_file, "timeline")):
        check_writable(target, what)
    settings = Settings(window_s=window)
    eng = make_engine(engine, scheduler)
    try:
        if defender is not None:
            detection = _detect_defender(
                defender, eng, settings,
                lambda d, i: _exports(d, i, graphml, gexf, timeline_file))
        else:
            assert path is not None
            from amparo.campaigns.detect import detect_campaigns

            with tempfile.TemporaryDirectory(prefix="amparo-campaigns-") as tmp, \
                    friendly_errors():
                try:
                    inputs = load_file(path, Path(tmp), parse_map(column_map or []))
                except CampaignInputError as exc:
                    fail(str(exc))
                detection = detect_campaigns(inputs, eng, settings)
                _exports(detection, inputs, graphml, gexf, timeline_file)
    finally:
        close = getattr(eng, "close", None)
        if close:
            close()
    if as_json:
        sys.stdout.write(json.dumps(detection.to_dict(), ensure_ascii=False) + "\n")
        return
    _print(detection.to_dict()["campaigns"])
    err.print(f"window {detection.window:.0f} s; edges per signal: "
              + ", ".join(f"{k} {len(v)}" for k, v in detection.edges.items()))


def _detect_defender(defender: str, eng: Any, settings: Any, exports: Any) -> Any:
    from amparo.store import defenders
    from amparo.store.campaigns import detect_for_defender

    with workspace() as ws, friendly_errors():
        with ws.session() as s:
            defender_id = defenders.find_defender(s, defender).id
        detection, ids = detect_for_defender(ws, defender_id, eng, settings, exports)
    err.print(f"stored {len(ids)} campaigns for defender {defender_id}")
    return detection


def _print(campaigns: list[dict[str, Any]]) -> None:
    table = Table("campaign", "accounts", "score", "why")
    for c in campaigns:
        table.add_row(str(c.get("id")), str(len(c["accounts"])), f"{c['score']:.2f}",
                      c["explanation"])
    out.print(table)


@campaigns_app.command("list")
def list_cmd(
    defender: Annotated[str | None, typer.Option(help="Defender id or pseudonym.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stored campaigns, strongest first."""
    from amparo.store import defenders
    from amparo.store.campaigns import list_campaigns

    with workspace() as ws, friendly_errors(), ws.session() as s:
        defender_id = defenders.find_defender(s, defender).id if defender else None
        rows = list_campaigns(s, defender_id)
    if as_json:
        sys.stdout.write(json.dumps({"campaigns": rows}, ensure_ascii=False) + "\n")
        return
    _print(rows)


@campaigns_app.command("show")
def show(
    campaign_id: Annotated[int, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One stored campaign with its messages and the findings on them."""
    from amparo.store.campaigns import get_campaign

    with workspace() as ws, friendly_errors(), ws.session() as s:
        c = get_campaign(s, campaign_id)
    if c is None:
        fail(f"no campaign {campaign_id}")
    if as_json:
        sys.stdout.write(json.dumps(c, ensure_ascii=False) + "\n")
        return
    out.print(f"[bold]Campaign {c['id']}[/] (score {c['score']:.2f}): {c['explanation']}")
    out.print(f"Accounts: {', '.join(c['accounts'])}")
    table = Table("message", "time (UTC)", "text", "findings")
    for m in c["messages"]:
        table.add_row(str(m["id"]), (m["timestamp_utc"] or "")[:19], m["text"][:80],
                      ", ".join(f"{f['label']} ({f['severity']})" for f in m["findings"]))
    out.print(table)
