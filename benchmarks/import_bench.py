"""Import throughput and peak memory: `amparo import` of a generated WhatsApp export and mbox,
each into a fresh workspace, in a child process whose own peak RSS is read from wait4().

    .venv/bin/python benchmarks/import_bench.py                    # 1M messages, 200 MB mbox
    .venv/bin/python benchmarks/import_bench.py --messages 250000 1000000 --mbox-mb 50 200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import mbox, whatsapp


def run_import(work: Path, data: Path, fmt: str) -> dict[str, float]:
    home = work / f"ws-{data.stem}"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "AMPARO_HOME": str(home)}
    amparo = [sys.executable, "-m", "amparo"]
    subprocess.run([*amparo, "init", "--insecure-demo-key"], env=env, check=True,
                   capture_output=True)
    subprocess.run([*amparo, "defender", "add", "bench"], env=env, check=True,
                   capture_output=True)
    start = time.perf_counter()
    proc = subprocess.Popen([*amparo, "import", str(data), "--defender", "1", "--format", fmt,
                             "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {stderr.decode()}")
    report = json.loads(stdout)
    n = report["messages"] + report["system"]
    shutil.rmtree(home, ignore_errors=True)
    return {
        "records": n,
        "seconds": round(elapsed, 2),
        "records_per_s": round(n / elapsed),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "input_mb": round(data.stat().st_size / 1024 / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--mbox-mb", type=int, nargs="+", default=[200])
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="amparo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.messages:
        data = work / f"WhatsApp Chat with Bench {n}.txt"
        whatsapp(data, n)
        results.append({"input": f"whatsapp {n:,} messages", **run_import(work, data,
                                                                          "whatsapp")})
        data.unlink()
    for mb in args.mbox_mb:
        data = work / f"bench-{mb}mb.mbox"
        mbox(data, mb)
        results.append({"input": f"mbox {mb} MB", **run_import(work, data, "email")})
        data.unlink()
    print(f"{'input':28} {'records':>9} {'MB':>7} {'s':>7} {'records/s':>10} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r['input']:28} {r['records']:>9,} {r['input_mb']:>7} {r['seconds']:>7} "
              f"{r['records_per_s']:>10,} {r['peak_rss_mb']:>12}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "import.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
