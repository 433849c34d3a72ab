"""Docs are part of the product: these fail when a command, setting or format is undocumented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from amparo.cli import app
from amparo.config import SETTINGS
from amparo.ingest.registry import IMPORTERS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def command_paths(group: Any, prefix: str = "amparo") -> list[str]:
    paths = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            paths.extend(command_paths(cmd, f"{prefix} {name}"))
        else:
            paths.append(f"{prefix} {name}")
    return sorted(paths)


@pytest.mark.parametrize("command", command_paths(typer.main.get_command(app)))
def test_every_command_is_documented(command: str) -> None:
    headings = [line for line in (DOCS / "cli.md").read_text().splitlines()
                if line.startswith("## ")]
    assert any(h.startswith(f"## `{command}") for h in headings), command


@pytest.mark.parametrize("variable", sorted(SETTINGS))
def test_every_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in (DOCS / "configuration.md").read_text()


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_every_format_is_documented(fmt: str) -> None:
    assert f"`{fmt}`" in (DOCS / "formats.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().splitlines()[:8]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_settings_read_are_declared() -> None:
    source = "".join(p.read_text() for p in (ROOT / "amparo").rglob("*.py"))
    used = set(re.findall(r"\"(AMPARO_[A-Z_]+)\"", source))
    assert used <= set(SETTINGS), used - set(SETTINGS)


def test_every_label_is_documented() -> None:
    from amparo.detect.base import LABELS

    text = (DOCS / "labels.md").read_text()
    assert all(f"`{label}`" in text for label in LABELS), [
        label for label in LABELS if f"`{label}`" not in text]


def test_every_detector_is_documented() -> None:
    from amparo.detect.registry import DETECTORS

    text = (DOCS / "detectors.md").read_text()
    assert all(f"(`{name}`)" in text for name in DETECTORS)
