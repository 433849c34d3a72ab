"""The demo behind `make run`: a workspace with a fictional defender's exports, imported with
the same services a caseworker uses, then verified and summarised."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from amparo.config import Settings
from amparo.detect.base import Severity
from amparo.store import defenders, keys
from amparo.store.analysis import analyze_defender, list_findings
from amparo.store.identities import account_label
from amparo.store.importing import import_paths
from amparo.store.tables import Account, FindingRow, Message
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace, WorkspaceError

DATA = Path(__file__).resolve().parent / "data"
PSEUDONYM = "Defensora Marina"
# Fictional private data the attackers in the demo expose (see data/README.md).
WATCHLIST = (
    ("address", "Travessa das Mangueiras 214, Belém"),
    ("school", "Escola Estadual Rio Tapajós"),
    ("relative", "Luana Costa"),
)


def demo_inputs() -> list[Path]:
    """Each export in the demo data: folders of multi-file exports, else single files."""
    inputs: list[Path] = []
    for sub in sorted(p for p in DATA.iterdir() if p.is_dir()):
        files = [f for f in sub.iterdir() if not f.name.startswith(".")]
        if len(files) == 1 and files[0].is_file():
            inputs.append(files[0])
        else:
            inputs.append(sub)
    return inputs


def _open_or_create(settings: Settings, console: Console, reset: bool) -> Workspace:
    home = settings.home
    if reset and home.exists():
        if not (home / keys.DEMO_KEY).exists():
            raise WorkspaceError(f"{home} is not a demo workspace; refusing to delete it")
        shutil.rmtree(home)
    if (home / keys.KEYRING).exists():
        if keys.key_mode(home) != "insecure-demo":
            raise WorkspaceError(f"{home} holds a real workspace; point AMPARO_HOME elsewhere "
                                 "for the demo")
        return Workspace.open(settings)
    console.print(f"Creating a demo workspace in {home} (insecure demo key: demo only).")
    return Workspace.create(settings, key_mode="insecure-demo")


def run_demo(settings: Settings, console: Console, *, reset: bool = False) -> None:
    ws = _open_or_create(settings, console, reset)
    try:
        with ws.session() as s:
            try:
                d = defenders.find_defender(s, PSEUDONYM)
            except defenders.DefenderError:
                d = defenders.add_defender(s, PSEUDONYM, actor=ws.settings.actor, country="BR",
                                           languages=["pt", "es", "en"],
                                           timezone="America/Belem")
                for kind, value in WATCHLIST:
                    defenders.add_watch_entry(s, ws.key, d, kind, value, actor=ws.settings.actor)
            defender_id = d.id
        ws.after_commit()
        report = import_paths(ws, defender_id, demo_inputs(), reason="demo intake")
        table = Table("export", "format", "messages", "system", "new", title="Imported")
        for f in report.files:
            table.add_row(Path(f.path).name, f.format, str(f.messages), str(f.system),
                          "already imported" if f.already_imported else str(f.new_messages))
        console.print(table)
        _summarise(ws, defender_id, console)
        _analyse(ws, defender_id, console)
        result = verify_workspace(ws)
        status = "[green]intact[/]" if result.ok else "[red]PROBLEMS[/]"
        console.print(f"Evidence vault and custody log: {status} ({result.blobs_checked} "
                      f"originals, {result.entries_checked} custody entries).")
        for p in result.problems:
            console.print(f"  {p}")
        console.print(f"Next: AMPARO_HOME={ws.home} .venv/bin/amparo messages list "
                      f"--defender {defender_id}")
    finally:
        ws.close()


def _analyse(ws: Workspace, defender_id: int, console: Console) -> None:
    """Run every detector and show what a caseworker should look at first."""
    run = analyze_defender(ws, defender_id)
    with ws.session() as s:
        top = list_findings(s, defender_id=defender_id, min_severity=Severity.HIGH, limit=15)
        counts = s.execute(
            select(FindingRow.label, func.max(FindingRow.severity), func.count()).join(Message)
            .where(Message.defender_id == defender_id).group_by(FindingRow.label)
            .order_by(func.max(FindingRow.severity).desc(), FindingRow.label)
        ).all()
    console.print(f"Analysis run {run.id}: {run.messages} messages, {run.findings} findings.")
    labels = Table("label", "findings", "most severe", title="Findings by label")
    for label, severity, n in counts:
        labels.add_row(label, str(n), str(Severity(severity)))
    console.print(labels)
    table = Table("message", "severity", "label", "text", "why", title="Most severe findings")
    for f in top:
        text = f["text"].replace("\n", " ")
        table.add_row(str(f["message_id"]), f["severity"], f["label"],
                      text[:50] + ("…" if len(text) > 50 else ""), f["explanation"][:90])
    console.print(table)


def _summarise(ws: Workspace, defender_id: int, console: Console) -> None:
    with ws.session() as s:
        per_platform = s.execute(
            select(Message.platform, Message.kind, func.count())
            .where(Message.defender_id == defender_id)
            .group_by(Message.platform, Message.kind).order_by(Message.platform)
        ).all()
        authors = s.execute(
            select(Account.handle, Account.display_names, Account.key, Account.platform,
                   func.count())
            .join(Message, Message.author_id == Account.id)
            .where(Message.defender_id == defender_id, Message.kind == "user")
            .group_by(Account.id, Account.handle, Account.display_names, Account.key,
                      Account.platform)
            .order_by(func.count().desc(), Account.platform, Account.key).limit(8)
        ).all()
    table = Table("platform", "kind", "messages", title=f"Stored for defender {defender_id}")
    for platform, kind, n in per_platform:
        table.add_row(platform, kind, str(n))
    console.print(table)
    # One row per account, and an account belongs to one platform: the same person on
    # WhatsApp and Telegram is two accounts (never merged by name), told apart by platform.
    top = Table("account", "platform", "messages", title="Most active senders")
    for handle, names, key, platform, n in authors:
        top.add_row(account_label(handle, names, key), platform, str(n))
    console.print(top)
