"""What a benchmark figure needs to be reproduced: the machine, its load, and the median of N
runs of a child process with its wall time and its own CPU time (user + system, from wait4).

On a shared machine the wall time depends on what else runs; the child's CPU time much less
so, which makes it the figure to compare versions by. Each run records the 1-minute load
average before it starts and after it ends.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


def describe() -> dict[str, Any]:
    """The machine and software a figure was measured on."""
    cpu = ""
    mem_kib = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or None,
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


REPO = Path(__file__).resolve().parents[1]


def load() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system of the child (and of children it waited for)
    peak_rss_mb: float  # the child's own peak (ru_maxrss)
    load_before: float
    load_after: float
    stdout: str


def run_child(cmd: Sequence[str], env: Mapping[str, str] | None = None,
              cwd: Path | None = None) -> Run:
    """Run `cmd` to completion: wall time, and its own CPU time and peak RSS from wait4().
    Its stdout and stderr go to temporary files (never a pipe, so it cannot block); raises
    SystemExit with its stderr if it fails."""
    before = load()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=dict(env) if env is not None else None,
                                stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{list(cmd)[:4]} failed ({proc.returncode}): "
                             f"{err.read().decode()[-2000:]}")
        text = out.read().decode()
    return Run(round(wall, 2), round(usage.ru_utime + usage.ru_stime, 2),
               round(usage.ru_maxrss / 1024, 1), before, load(), text)


def summary(runs: Sequence[Run]) -> dict[str, Any]:
    """Medians over the runs (the figure to quote), the spread, and every run."""
    return {
        "runs": len(runs),
        "median_wall_s": round(statistics.median(r.wall_s for r in runs), 2),
        "median_cpu_s": round(statistics.median(r.cpu_s for r in runs), 2),
        "wall_s": [r.wall_s for r in runs],
        "cpu_s": [r.cpu_s for r in runs],
        "peak_rss_mb": max(r.peak_rss_mb for r in runs),
        "load": [min(r.load_before for r in runs), max(r.load_after for r in runs)],
        "each": [{k: v for k, v in asdict(r).items() if k != "stdout"} for r in runs],
    }


def header(machine: Mapping[str, Any]) -> str:
    return (f"{machine['date']}, commit {machine['commit']}: {machine['cores']} cores "
            f"({machine['cpu']}), {machine['memory_gib']} GiB, Python {machine['python']}, "
            f"SQLite {machine['sqlite']}; load now {load()}")
