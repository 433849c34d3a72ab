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
    run_demo(settings, console)
    second = console.export_text(clear=True)
    assert second.count("already imported") == len(demo_inputs())
