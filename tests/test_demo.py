"""The demo behind `make run` imports every demo export without a single unreadable record."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from amparo.config import Settings
from amparo.demo import demo_inputs, run_demo
from amparo.ingest import ImportOptions
from amparo.store.importing import dry_run
from tests.conftest import FAST_KDF


def test_demo_inputs_parse_cleanly() -> None:
    report = dry_run(demo_inputs(), "auto", ImportOptions(), Settings(home=Path(".")).limits)
    formats = {f.format for f in report.files}
    assert formats == {"whatsapp", "telegram", "twitter", "email", "mastodon", "instagram"}
    assert all(f.error_count == 0 for f in report.files), [f.errors for f in report.files]
    assert sum(f.messages for f in report.files) >= 150


def test_demo_runs_twice_and_stays_intact(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "demo", actor="demo", **FAST_KDF)
    console = Console(record=True, width=120)
    run_demo(settings, console)
    first = console.export_text()
    assert "intact" in first and "PROBLEMS" not in first
    # The dangerous messages described in the demo data's README are found.
    for label in ("threat.family", "threat.violence", "doxing.watchlist", "link.lookalike"):
        assert label in first, label
    senders = _table_rows(first, "Most active senders")
    # Each row is one account on one platform: Marina Costa on WhatsApp and on Telegram are
    # two accounts (never merged by name), and the table says which is which.
    assert len(senders) == 8 and len(set(senders)) == 8
    assert ("Marina Costa", "whatsapp", "14") in senders
    assert ("Marina Costa", "telegram", "9") in senders
    assert ("Camilo Rengifo", "telegram", "21") in senders  # a name, not user5123456789
    run_demo(settings, console)
    second = console.export_text(clear=True)
    assert second.count("already imported") == len(demo_inputs())


def _table_rows(text: str, title: str) -> list[tuple[str, ...]]:
    """The body rows of a rich table (one line per row) printed under `title`."""
    lines = text[text.index(title):].splitlines()
    body = lines[lines.index(next(x for x in lines if x.startswith("┡"))) + 1 :]
    rows = []
    for line in body:
        if line.startswith("└"):
            break
        rows.append(tuple(cell.strip() for cell in line.strip("│").split("│")))
    return rows
