"""An import killed with SIGKILL half-way leaves the workspace exactly as before, and the same
import then succeeds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amparo.config import Settings
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace
from tests.workspace_state import snapshot

pytestmark = pytest.mark.slow


def big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,author,text,timestamp\n")
        for i in range(rows):
            fh.write(f"{i},acct{i % 977},mensagem número {i} contra a defensora,"
                     f"2024-01-01T00:{i % 60:02d}:00Z\n")


def env_for(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "AMPARO_HOME": str(settings.home), "AMPARO_ACTOR": "tester"}
    if settings.database_url:
        env["AMPARO_DATABASE_URL"] = settings.database_url
    return env


def run_import(settings: Settings, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "amparo", "import", str(path), "--defender", "1", "--json"],
        env=env_for(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def wait_for_staging(ws: Workspace, proc: subprocess.Popen[bytes], *, staged: bool) -> None:
    """Wait until the original is being staged in the vault or, with `staged`, is staged
    completely (rows are then being written)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = [p.name for p in ws.vault.staging.iterdir()]
        if any(n[:1] != "i" for n in names) if staged else names:
            return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    pytest.fail("the import never reached its database phase")


def test_sigkill_mid_import_leaves_no_trace(
    ws: Workspace, defender_id: int, settings: Settings, tmp_path: Path
) -> None:
    assert defender_id == 1
    data = tmp_path / "big.csv"
    big_csv(data, 150_000)
    before = snapshot(ws)
    rng = random.Random(7)
    for attempt in range(3):
        proc = run_import(settings, data)
        wait_for_staging(ws, proc, staged=attempt > 0)
        if attempt > 0:
            time.sleep(rng.uniform(0.05, 0.4))
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        report = verify_workspace(ws)  # opening for writing finishes or undoes the crash
        assert report.ok, report.problems
        assert not list(ws.vault.staging.iterdir())
        assert snapshot(ws) == before, f"attempt {attempt} left a trace"
    proc = run_import(settings, data)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    assert b'"new_messages": 150000' in stdout
    assert verify_workspace(ws).ok


def test_sigkill_mid_reread_leaves_no_trace(
    ws: Workspace, defender_id: int, settings: Settings, tmp_path: Path
) -> None:
    """A re-read killed while it replaces the messages leaves the workspace exactly as before
    (its decrypted copy included), and the same re-read then succeeds."""
    data = tmp_path / "big.csv"
    big_csv(data, 60_000)
    proc = run_import(settings, data)
    assert proc.wait(timeout=300) == 0
    before = snapshot(ws)
    command = [sys.executable, "-m", "amparo", "evidence", "reread", "1", "--reason", "zone",
               "--timezone", "Europe/Lisbon", "--yes", "--json"]
    rng = random.Random(11)
    for attempt in range(2):
        proc = subprocess.Popen(command, env=env_for(settings), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not any(ws.tmp_dir.glob("reread.*")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.3) * attempt)
        assert proc.poll() is None, "the re-read finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert verify_workspace(ws).ok
        assert snapshot(ws) == before, f"attempt {attempt} left a trace"
    proc = subprocess.Popen(command, env=env_for(settings), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    assert b'"messages": 60000' in stdout
    assert verify_workspace(ws).ok
