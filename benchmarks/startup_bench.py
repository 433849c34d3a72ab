"""Start-up time of the `amparo` command: each command runs N times, each time in a fresh
process, and the median wall time is reported (with the fastest and slowest run), and the
median CPU time (user + system) of the process, which a busy machine inflates less.

    .venv/bin/python benchmarks/startup_bench.py                       # 15 runs each
    .venv/bin/python benchmarks/startup_bench.py --runs 25 --amparo /other/.venv/bin/amparo

`amparo defender list` and `amparo formats` run against a fresh workspace (created once with
`amparo init --insecure-demo-key` and one defender). The machine's load (`uptime`) is printed
before and after: on a shared machine it moves the figures more than anything else.
Results are also written to `benchmarks/out/startup.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (["--help"], ["version"], ["formats"], ["defender", "list"])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()


def timed_runs(amparo: str, args: list[str], env: dict[str, str],
               runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run; wait4() reads the child's own usage."""
    wall, cpu = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen([amparo, *args], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"amparo {' '.join(args)} exited with {child.returncode}")
        cpu.append(usage.ru_utime + usage.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--amparo", default=str(Path(sys.executable).parent / "amparo"),
                    help="The amparo executable to time (default: this venv's).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="amparo-startup-") as tmp:
        env = {**os.environ, "AMPARO_HOME": str(Path(tmp) / "ws")}
        for setup in (["init", "--insecure-demo-key"], ["defender", "add", "Ana"]):
            subprocess.run([args.amparo, *setup], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = uptime()
        rows = []
        for command in COMMANDS:
            times, cpu = timed_runs(args.amparo, command, env, args.runs)
            rows.append({"command": "amparo " + " ".join(command), "runs": args.runs,
                         "median_s": round(statistics.median(times), 3),
                         "min_s": round(min(times), 3), "max_s": round(max(times), 3),
                         "median_cpu_s": round(statistics.median(cpu), 3)})
        after = uptime()
    result = {"amparo": args.amparo, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}", "uptime_before": before,
              "uptime_after": after, "results": rows}
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{args.amparo}\n{result['machine']}\nbefore: {before}\nafter:  {after}\n")
    print("| command | runs | median wall s | min s | max s | median CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| `{r['command']}` | {r['runs']} | {r['median_s']:.3f} | {r['min_s']:.3f} | "
              f"{r['max_s']:.3f} | {r['median_cpu_s']:.3f} |")


if __name__ == "__main__":
    main()
