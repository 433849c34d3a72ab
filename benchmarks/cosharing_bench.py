"""Co-link signal at corpus scale: time and peak memory of `cosharing_edges` on N shares.

    .venv/bin/python benchmarks/cosharing_bench.py --shares 1000000 10000000
    .venv/bin/python benchmarks/cosharing_bench.py --shares 1000000 --engines local dask
    .venv/bin/python benchmarks/cosharing_bench.py --shares 1000000 --cnt /tmp/cntvenv/bin/python
    git worktree add /tmp/amparo-1001e74 1001e74
    .venv/bin/python benchmarks/cosharing_bench.py --shares 1000000 --runs 5 \
        --compare /tmp/amparo-1001e74

The input is generated deterministically (seeded NumPy) and written as Parquet in chunks of
1M rows, so any size fits in memory: `accounts = N / 20` accounts with Zipf-like activity,
`N / 4` objects (url 80%, image 20%: all co_link types) with Zipf popularity (s = 1.1), each object
shared in a burst after its first appearance (exponential delays, mean 2 h) over 30 days, plus
20 planted groups of 15 accounts that each share the same 30 links within 20 seconds.

Each measurement runs in a fresh child process (`--one`), `--runs` times (default 3; medians
reported): the child times `cosharing_edges` itself, wall and CPU (`time.process_time()`: all
of its threads, DuckDB's included; not Dask's worker processes); the parent reads the child's
peak RSS from `wait4()` and, for Dask, samples the RSS of the whole process tree (workers
included) with psutil every 50 ms, and notes the load average before and after each run.
`--compare TREE...` runs the same measurement with amparo imported from other source trees (a
`git worktree` of an older commit), interleaved run by run, to compare versions under the
same load: compare their CPU seconds. `--cnt PYTHON` also runs the QUT
coordination-network-toolkit's co-link network (SQLite) on the same shares with that
interpreter (a throwaway venv).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import REPO, describe, header, load

OUT = Path(__file__).parent / "out"
DAY = 86400.0
GROUPS, GROUP_SIZE, GROUP_OBJECTS, GROUP_SPREAD_S = 20, 15, 30, 20.0
SCHEMA = pa.schema([("post_id", pa.string()), ("account_id", pa.string()),
                    ("timestamp", pa.float64()), ("object_type", pa.string()),
                    ("object_id", pa.string())])


def _prefixed(prefix: str, ids: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(ids), pa.string()), "")


def _zipf_sampler(n: int, s: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    cdf = np.cumsum(1.0 / np.arange(1, n + 1) ** s)
    cdf /= cdf[-1]
    perm = rng.permutation(n)  # popularity rank -> id, so popular ids are not all small
    return np.asarray(cdf), perm


def generate(path: Path, n: int, seed: int = 7, chunk: int = 1_000_000) -> None:
    rng = np.random.default_rng(seed)
    accounts, objects = max(1000, n // 20), max(1000, n // 4)
    acc_cdf, acc_perm = _zipf_sampler(accounts, 0.8, rng)
    obj_cdf, obj_perm = _zipf_sampler(objects, 1.1, rng)
    obj_start = rng.uniform(0, 30 * DAY, objects)
    obj_type = rng.choice(np.array(["url", "image"]), objects, p=[0.8, 0.2])
    planted = GROUPS * GROUP_SIZE * GROUP_OBJECTS
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, SCHEMA) as writer:
        done = 0
        while done < n - planted:
            m = min(chunk, n - planted - done)
            obj = obj_perm[np.searchsorted(obj_cdf, rng.random(m))]
            acc = acc_perm[np.searchsorted(acc_cdf, rng.random(m))]
            ts = np.round(obj_start[obj] + rng.exponential(7200.0, m))
            writer.write_table(pa.Table.from_arrays([
                _prefixed("p", np.arange(done, done + m)), _prefixed("u", acc),
                pa.array(ts), pa.array(obj_type[obj]), _prefixed("o", obj)], schema=SCHEMA))
            done += m
        g = np.repeat(np.arange(GROUPS), GROUP_SIZE * GROUP_OBJECTS)
        member = np.tile(np.repeat(np.arange(GROUP_SIZE), GROUP_OBJECTS), GROUPS)
        link = np.tile(np.arange(GROUP_OBJECTS), GROUPS * GROUP_SIZE)
        t0 = rng.uniform(0, 30 * DAY, GROUPS * GROUP_OBJECTS)[g * GROUP_OBJECTS + link]
        ts = np.round(t0 + rng.uniform(0, GROUP_SPREAD_S, planted))
        writer.write_table(pa.Table.from_arrays([
            _prefixed("q", np.arange(planted)),
            pc.binary_join_element_wise(_prefixed("c", g), _prefixed("_", member), ""),
            pa.array(ts), pa.array(np.full(planted, "url")),
            pc.binary_join_element_wise(_prefixed("planted", g), _prefixed("_", link), "")],
            schema=SCHEMA))
    tmp.replace(path)


def run_one(path: Path, engine_name: str, partitions: int, window: float) -> dict[str, object]:
    """In the child: one co_link run; prints its figures as JSON."""
    from amparo.campaigns.cosharing import SIGNAL_TYPES, cosharing_edges
    from amparo.campaigns.engines import DaskEngine, Engine, LocalEngine, Table
    from amparo.campaigns.model import Settings

    settings = Settings(window_s=window, partitions=partitions)
    engine: Engine = (LocalEngine(partitions) if engine_name == "local"
                      else DaskEngine(partitions=partitions))
    if isinstance(engine, DaskEngine):
        engine._get_client()  # start the cluster outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    edges = cosharing_edges(Table(path=path), engine, settings, window,
                            SIGNAL_TYPES["co_link"], "co_link")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu  # every thread of this process (DuckDB's), not Dask's workers
    planted = edges[edges["a"].str.startswith("c") & edges["b"].str.startswith("c")]
    if isinstance(engine, DaskEngine):
        engine.close()
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "edges": len(edges),
            "planted_edges": len(planted),
            "skipped_viral_objects": edges.attrs["skipped_viral_objects"]}


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def measure(cmd: list[str], code: Path | None = None) -> tuple[dict[str, object], float, float]:
    """Run `cmd`; its last stdout line is JSON. Peak RSS of the child itself (wait4) and of
    its process tree (sampled), in MB. `code`: import amparo from that source tree."""
    env = {**os.environ, "PYTHONPATH": str(code or REPO)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            peak_tree = max(peak_tree, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    result = json.loads(out.strip().splitlines()[-1])
    return result, usage.ru_maxrss / 1024, peak_tree / 2**20


CNT_SCRIPT = """
import csv, sqlite3, sys, time
from coordination_network_toolkit.database import initialise_db
from coordination_network_toolkit.compute_networks import compute_co_link_network
src, db_path, window = sys.argv[1], sys.argv[2], float(sys.argv[3])
t = time.perf_counter()
db = initialise_db(db_path)
db.execute("begin")
with open(src, newline="") as fh:
    rows = csv.reader(fh)
    next(rows)
    db.executemany("insert or ignore into message_url values (?, ?, ?, ?)",
                   ((m, u, float(ts), a) for m, u, ts, a in rows))
db.execute("commit")
db.close()
load = time.perf_counter() - t
t = time.perf_counter()
compute_co_link_network(db_path, window, n_threads=2, min_edge_weight=2)
seconds = time.perf_counter() - t
con = sqlite3.connect(db_path)
edges = con.execute("select count(*) from co_link_network where user_1 < user_2").fetchone()[0]
print(f'{{"seconds": {seconds:.2f}, "load_seconds": {load:.2f}, "edges": {edges}}}')
"""


def cnt_input(path: Path, csv_path: Path) -> None:
    """The shares as the toolkit's message_url rows (message, url, timestamp, user); the url
    is `type:id` so that a url and a domain with the same id stay apart."""
    import duckdb

    duckdb.sql(f"copy (select post_id as message_id, object_type || ':' || object_id as url, "
               f"timestamp, account_id as user_id from '{path}') to '{csv_path}' "
               f"(header, delimiter ',')")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shares", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--engines", nargs="+", default=["local"], choices=["local", "dask"])
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--partitions", type=int, default=0, help="0: 16 per 10M shares, min 4")
    ap.add_argument("--data", type=Path, default=Path("/tmp/amparo-cosharing-bench"))
    ap.add_argument("--cnt", help="python of a venv with coordination-network-toolkit")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per engine and size (fresh processes); medians reported")
    ap.add_argument("--compare", type=Path, nargs="*", default=[], metavar="TREE",
                    help="also run amparo from these source trees (e.g. `git worktree add "
                    "/tmp/old 1001e74`), interleaved with this one")
    ap.add_argument("--one", nargs=3, metavar=("PARQUET", "ENGINE", "PARTITIONS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), args.one[1], int(args.one[2]),
                                 args.window)))
        return
    args.data.mkdir(parents=True, exist_ok=True)
    machine = describe()
    print(header(machine), flush=True)
    rows: list[dict[str, object]] = []
    codes: list[Path | None] = [None, *(c.resolve() for c in args.compare)]
    for n in args.shares:
        path = args.data / f"shares-{n}.parquet"
        if not path.exists():
            t = time.perf_counter()
            generate(path, n)
            print(f"generated {n:,} shares in {time.perf_counter() - t:.1f} s", flush=True)
        parts = args.partitions or max(4, round(16 * n / 10_000_000))
        for engine in args.engines:
            runs: dict[Path | None, list[dict[str, Any]]] = {code: [] for code in codes}
            for i in range(args.runs):
                for code in codes:  # interleaved: each tree sees the same changes of load
                    before = load()
                    result, peak, tree = measure([sys.executable, __file__, "--window",
                                                  str(args.window), "--one", str(path),
                                                  engine, str(parts)], code)
                    runs[code].append({**result, "peak_rss_mb": round(peak, 1),
                                       "peak_tree_rss_mb": round(tree, 1),
                                       "load_before": before, "load_after": load()})
                    print(f"  {code or 'this tree'} {engine} {n:,} run {i + 1}/{args.runs}: "
                          f"{json.dumps(runs[code][-1])}", flush=True)
            for code, rs in runs.items():
                rows.append({"tool": f"amparo {engine}", "code": str(code or "this tree"),
                             "shares": n, "partitions": parts, "runs": len(rs),
                             "median_seconds": statistics.median(r["seconds"] for r in rs),
                             "median_cpu_s": statistics.median(r["cpu_s"] for r in rs),
                             **{k: rs[-1][k] for k in ("edges", "planted_edges",
                                                       "skipped_viral_objects")},
                             "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
                             "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in rs),
                             "load": [min(r["load_before"] for r in rs),
                                      max(r["load_after"] for r in rs)],
                             "each": rs})
                print(json.dumps({k: v for k, v in rows[-1].items() if k != "each"}),
                      flush=True)
        if args.cnt:
            db, csv_path = args.data / f"cnt-{n}.db", args.data / f"cnt-{n}.csv"
            if not csv_path.exists():
                cnt_input(path, csv_path)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            result, peak, tree = measure([args.cnt, "-c", CNT_SCRIPT, str(csv_path), str(db),
                                          str(args.window)])
            rows.append({"tool": "coordination-network-toolkit 1.5.2", "shares": n,
                         **result, "peak_rss_mb": round(peak, 1),
                         "peak_tree_rss_mb": round(tree, 1)})
            print(json.dumps(rows[-1]), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "cosharing.json").write_text(json.dumps({"machine": machine, "rows": rows},
                                                   indent=1) + "\n")


if __name__ == "__main__":
    main()
