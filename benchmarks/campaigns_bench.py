"""Campaign detection end to end (all signals: co-sharing of links, hashtags, reposts,
replies, mentions, and near-duplicate texts; assembly) on N posts with text from the synthetic
generator, local engine and Dask (LocalCluster, 2 workers).

    .venv/bin/python benchmarks/campaigns_bench.py --posts 1000000 10000000 --engine local dask

Inputs: `amparo.campaigns.synthetic.Scenario(total_posts=N)` written as Parquet (the real
german_elections background repeated as time-shifted copies, each with the standard planted
campaigns and decoys; generation is not timed). Each run is a child process: `load_file`
(normalise to Parquet) + `detect_campaigns`; wall time is the child's, peak memory the
largest sum of RSS over the child and all its descendants (Dask scheduler and workers),
sampled every 0.1 s with psutil (the child writes to files in its work folder, never to a
pipe, so it cannot block on output). Results: benchmarks/out/campaigns_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
CHILD = """
import json, sys, time
from pathlib import Path
from amparo.campaigns import synthetic
from amparo.campaigns.detect import detect_campaigns
from amparo.campaigns.engines import make_engine
src, work, engine_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
inputs = synthetic.load_scenario(src, work)
load = time.perf_counter() - t
engine = make_engine(engine_name)
t = time.perf_counter()
d = detect_campaigns(inputs, engine)
detect = time.perf_counter() - t
truth = synthetic.Truth.from_dict(json.loads(Path(sys.argv[4]).read_text()))
r = synthetic.score([c.accounts for c in d.campaigns], truth)
if hasattr(engine, "close"):
    engine.close()
print(json.dumps({"load_s": load, "detect_s": detect, "timings": d.timings,
                  "campaigns": len(d.campaigns), "window": d.window,
                  "recall": r["recall"], "decoys_flagged": r["decoys_flagged"]}))
"""


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def measure(src: Path, truth: Path, engine: str, work: Path) -> dict[str, object]:
    # The child writes to files, not pipes: nothing it prints (however much) can block it, and
    # the sampler below keeps running until it exits.
    work.mkdir(parents=True, exist_ok=True)
    out_path, err_path = work / "child.stdout", work / "child.stderr"
    t = time.perf_counter()
    with out_path.open("w") as out, err_path.open("w") as err:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(work), engine,
                                  str(truth)], stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL, cwd=ROOT, text=True)
        proc = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(proc))
            time.sleep(0.1)
        wall = time.perf_counter() - t
    if child.returncode:
        tail = err_path.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{engine} run failed ({child.returncode}):\n{tail}")
    lines = out_path.read_text().strip().splitlines()
    result: dict[str, object] = json.loads(lines[-1])
    result.update(wall_s=round(wall, 1), peak_rss_mb=round(peak / 2**20, 1), engine=engine)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--engine", nargs="+", choices=("local", "dask"), default=["local", "dask"])
    ap.add_argument("--work", type=Path, default=OUT / "campaigns-bench")
    args = ap.parse_args()
    from amparo.campaigns import synthetic

    results = []
    for n in args.posts:
        src = args.work / f"posts-{n}.parquet"
        truth_path = args.work / f"posts-{n}.truth.json"
        if not truth_path.exists():
            t = time.perf_counter()
            synthetic.write_scenario(synthetic.Scenario(total_posts=n), src, truth_path)
            print(f"generated {n:,} posts in {time.perf_counter() - t:.0f} s", flush=True)
        for engine in args.engine:
            r = measure(src, truth_path, engine, args.work / f"work-{n}-{engine}")
            r["posts"] = n
            results.append(r)
            print(json.dumps(r), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "campaigns_bench.json"
    old = json.loads(path.read_text()) if path.exists() else []
    keep = [o for o in old if (o["posts"], o["engine"]) not in
            {(r["posts"], r["engine"]) for r in results}]
    path.write_text(json.dumps(keep + results, indent=1), encoding="utf-8")
    print("\n| posts | engine | load s | detect s | wall s | peak RSS MB (tree) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['posts']:,} | {r['engine']} | {r['load_s']:.1f} | {r['detect_s']:.1f} | "
              f"{r['wall_s']} | {r['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
