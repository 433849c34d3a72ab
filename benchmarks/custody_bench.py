"""What the signed custody log costs: per committing command, and in `verify`.

    .venv/bin/python benchmarks/custody_bench.py --messages 150000 --commands 2000

Runs in-process on a fresh SQLite workspace under a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from amparo.config import Settings
from amparo.store import anchors, custody
from amparo.store.defenders import add_defender
from amparo.store.importing import import_paths
from amparo.store.verify import check_database, verify_workspace
from amparo.store.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=150_000)
    parser.add_argument("--commands", type=int, default=2000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="amparo-custody-bench-"))
    ws = Workspace.create(Settings(home=root / "ws", actor="bench", kdf_memory_kib=8192,
                                   kdf_time_cost=1), key_mode="insecure-demo")
    with ws.session() as s:
        defender = add_defender(s, "D", actor="bench").id
    source = root / "posts.csv"
    with source.open("w", encoding="utf-8") as fh:
        fh.write("id,author,text,timestamp\n")
        for i in range(args.messages):
            fh.write(f"{i},acct{i % 977},mensagem {i} contra a defensora,"
                     f"2024-01-01T00:{i % 60:02d}:00Z\n")
    t = time.perf_counter()
    import_paths(ws, defender, [source])
    print(f"import of {args.messages} rows: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    for i in range(args.commands):
        with ws.session() as s:
            custody.append(s, actor="bench", action="evidence.view", object_type="evidence",
                           object_id=str(i))
        ws.after_commit()
    each = (time.perf_counter() - t) / args.commands * 1000
    print(f"one-entry command (entry, checkpoint, head check, signed head): {each:.2f} ms")
    size = (root / "ws" / "amparo.db").stat().st_size / 1e6
    t = time.perf_counter()
    check_database(ws)
    print(f"database check of a {size:.0f} MB SQLite file: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    report = verify_workspace(ws)
    print(f"verify: {time.perf_counter() - t:.2f} s ({report.entries_checked} entries, "
          f"{report.checkpoints} checkpoints, ok={report.ok})")
    with ws.session() as s:
        t = time.perf_counter()
        anchors.verify_chain(s, ws.head_file, ws.custody_key)
        print(f"  of which the chain walk: {time.perf_counter() - t:.2f} s")
    ws.close()


if __name__ == "__main__":
    main()
