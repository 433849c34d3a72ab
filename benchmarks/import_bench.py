"""Import throughput and peak memory: `amparo import` of a generated WhatsApp export and mbox,
each into a fresh workspace, in a child process whose wall time, own CPU time (user + system)
and peak RSS are read from wait4(). Each input is imported `--runs` times (a fresh workspace
each time) and the median is reported, with the machine and its load average.

    .venv/bin/python benchmarks/import_bench.py                    # 1M messages, 200 MB mbox
    .venv/bin/python benchmarks/import_bench.py --messages 1000000 --mbox-mb 0 --runs 3
    .venv/bin/python benchmarks/import_bench.py --messages 250000 1000000 --mbox-mb 50 200
    .venv/bin/python benchmarks/import_bench.py --key passphrase    # Argon2id on every command
    .venv/bin/python benchmarks/import_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
    git worktree add /tmp/amparo-main main      # the same imports with another version, in turn:
    .venv/bin/python benchmarks/import_bench.py --mbox-mb 0 --compare /tmp/amparo-main

Compare versions by CPU seconds when the machine is shared: the wall time follows the load.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import mbox, whatsapp
from machine import REPO, Run, describe, header, run_child, summary

PASSPHRASE = "benchmark passphrase, not a secret"


@contextmanager
def database(postgres: str | None) -> Iterator[str | None]:
    """None for SQLite in the workspace, else a URL into a fresh PostgreSQL schema."""
    if not postgres:
        yield None
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{postgres}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def workspace_env(work: Path, name: str, key: str, url: str | None,
                  code: Path | None = None) -> dict[str, str]:
    """Environment of a fresh workspace `name` under `work` with the given key mode; `code`:
    import amparo from that source tree."""
    env = {**os.environ, "AMPARO_HOME": str(work / name)}
    env["PYTHONPATH"] = str(code or REPO)
    env.pop("AMPARO_PASSPHRASE", None)
    env.pop("AMPARO_KEY_FILE", None)
    if key == "passphrase":
        env["AMPARO_PASSPHRASE"] = PASSPHRASE
    elif key == "keyfile":
        env["AMPARO_KEY_FILE"] = str(work / f"{name}.key")
    if url:
        env["AMPARO_DATABASE_URL"] = url
    return env


def init_workspace(env: dict[str, str], key: str) -> None:
    shutil.rmtree(env["AMPARO_HOME"], ignore_errors=True)
    amparo = [sys.executable, "-m", "amparo"]
    init = [*amparo, "init"]
    if key == "demo":
        init.append("--insecure-demo-key")
    elif key == "keyfile":
        Path(env["AMPARO_KEY_FILE"]).unlink(missing_ok=True)
        init += ["--key-file", env["AMPARO_KEY_FILE"]]
    home = Path(env["AMPARO_HOME"]).parent
    run_child(init, env, cwd=home)
    run_child([*amparo, "defender", "add", "bench"], env, cwd=home)


def import_once(work: Path, data: Path, fmt: str, key: str, postgres: str | None,
                code: Path | None = None) -> Run:
    """One `amparo import` into a fresh workspace (and database schema)."""
    with database(postgres) as url:
        env = workspace_env(work, f"ws-{data.stem}", key, url, code)
        init_workspace(env, key)
        try:
            # Run from `work`: `python -m` puts the current folder first on the path.
            return run_child([sys.executable, "-m", "amparo", "import", str(data), "--defender",
                              "1", "--format", fmt, "--json"], env, cwd=work)
        finally:
            shutil.rmtree(env["AMPARO_HOME"], ignore_errors=True)


def measure(work: Path, data: Path, fmt: str, label: str, args: argparse.Namespace
            ) -> list[dict[str, Any]]:
    """`args.runs` imports of `data` per source tree, interleaved; one result per tree."""
    codes: list[Path | None] = [None, *(c.resolve() for c in args.compare)]
    runs: dict[Path | None, list[Run]] = {code: [] for code in codes}
    records = 0
    for i in range(args.runs):
        for code in codes:
            run = import_once(work, data, fmt, args.key, args.postgres, code)
            report = json.loads(run.stdout)
            records = report["messages"] + report["system"]
            runs[code].append(run)
            print(f"  {label} ({code or 'this tree'}) run {i + 1}/{args.runs}: {run.wall_s} s "
                  f"wall, {run.cpu_s} s CPU, {run.peak_rss_mb} MB, load {run.load_before} -> "
                  f"{run.load_after}", flush=True)
    results = []
    for code, rs in runs.items():
        s = summary(rs)
        results.append({
            "input": label, "code": str(code or "this tree"), "records": records,
            "input_mb": round(data.stat().st_size / 2**20, 1),
            "records_per_s": round(records / s["median_wall_s"]),
            "records_per_cpu_s": round(records / s["median_cpu_s"]),
            **s,
        })
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, nargs="+", default=[1_000_000],
                    help="WhatsApp chats of these sizes (0: none)")
    ap.add_argument("--mbox-mb", type=int, nargs="+", default=[200],
                    help="mboxes of about these sizes in MB (0: none)")
    ap.add_argument("--runs", type=int, default=3, help="imports per input; the median is "
                    "reported")
    ap.add_argument("--key", choices=["keyfile", "passphrase", "demo"], default="keyfile",
                    help="workspace key mode: passphrase derives the key with Argon2id "
                    "(256 MiB, t=3) in every command")
    ap.add_argument("--compare", type=Path, nargs="*", default=[], metavar="TREE",
                    help="also import with amparo from these source trees (e.g. `git worktree "
                    "add /tmp/old 1312340`), interleaved run by run with this one")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--postgres", default=None, metavar="URL",
                    help="store in this PostgreSQL database (a fresh schema) instead of SQLite")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="amparo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    machine = describe()
    print(header(machine), flush=True)
    results = []
    for n in (n for n in args.messages if n > 0):
        data = work / f"WhatsApp Chat with Bench {n}.txt"
        whatsapp(data, n)
        results += measure(work, data, "whatsapp", f"whatsapp {n:,} messages", args)
        data.unlink()
    for mb in (mb for mb in args.mbox_mb if mb > 0):
        data = work / f"bench-{mb}mb.mbox"
        mbox(data, mb)
        results += measure(work, data, "email", f"mbox {mb} MB", args)
        data.unlink()
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{db}, key mode {args.key}, median of {args.runs} runs; load = 1-min load average "
          f"(lowest before a run, highest after one)")
    print(f"{'input':28} {'code':12} {'records':>9} {'MB':>6} {'wall s':>7} {'CPU s':>6} "
          f"{'rec/s':>7} {'rec/CPU s':>9} {'RSS MB':>7}  load")
    for r in results:
        print(f"{r['input']:28} {r['code'][-12:]:12} {r['records']:>9,} {r['input_mb']:>6} "
              f"{r['median_wall_s']:>7} {r['median_cpu_s']:>6} {r['records_per_s']:>7,} "
              f"{r['records_per_cpu_s']:>9,} {r['peak_rss_mb']:>7}  {r['load'][0]}-{r['load'][1]}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    name = "import-postgres.json" if args.postgres else "import.json"
    (out / name).write_text(json.dumps({"machine": machine, "database": db, "key": args.key,
                                        "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
