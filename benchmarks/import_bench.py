"""Import throughput and peak memory: `amparo import` of a generated WhatsApp export and mbox,
each into a fresh workspace, in a child process whose own peak RSS is read from wait4().

    .venv/bin/python benchmarks/import_bench.py                    # 1M messages, 200 MB mbox
    .venv/bin/python benchmarks/import_bench.py --messages 250000 1000000 --mbox-mb 50 200
    .venv/bin/python benchmarks/import_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import mbox, whatsapp


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


def run_import(work: Path, data: Path, fmt: str, postgres: str | None) -> dict[str, float]:
    with database(postgres) as url:
        return _run_import(work, data, fmt, url)


def _run_import(work: Path, data: Path, fmt: str, url: str | None) -> dict[str, float]:
    home = work / f"ws-{data.stem}"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "AMPARO_HOME": str(home)}
    if url:
        env["AMPARO_DATABASE_URL"] = url
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
    ap.add_argument("--postgres", default=None, metavar="URL",
                    help="store in this PostgreSQL database (a fresh schema) instead of SQLite")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="amparo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.messages:
        data = work / f"WhatsApp Chat with Bench {n}.txt"
        whatsapp(data, n)
        results.append({"input": f"whatsapp {n:,} messages", **run_import(work, data, "whatsapp",
                                                                          args.postgres)})
        data.unlink()
    for mb in args.mbox_mb:
        data = work / f"bench-{mb}mb.mbox"
        mbox(data, mb)
        results.append({"input": f"mbox {mb} MB", **run_import(work, data, "email", args.postgres)})
        data.unlink()
    print(f"{'input':28} {'records':>9} {'MB':>7} {'s':>7} {'records/s':>10} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r['input']:28} {r['records']:>9,} {r['input_mb']:>7} {r['seconds']:>7} "
              f"{r['records_per_s']:>10,} {r['peak_rss_mb']:>12}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    name = "import-postgres.json" if args.postgres else "import.json"
    (out / name).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
