"""Parse-only speed of the email importer on generated mboxes: the classic layout (a blank
line before each ``From `` line) and Thunderbird's (``From - date`` straight after the previous
message, found by looking ahead for headers). In-process, CPU seconds, best of `--repeat`; no
workspace, vault or database (see import_bench.py for the whole import).

    .venv/bin/python benchmarks/mbox_parse_bench.py --mbox-mb 100
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from amparo.ingest.base import ImportOptions
from amparo.ingest.email import EmailImporter, iter_mbox
from amparo.ingest.sources import open_source

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import mbox


def best_of(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.process_time()
        count = run()
        best = min(best, time.process_time() - start)
    return best, count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mbox-mb", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for mozilla in (False, True):
            path = Path(tmp) / ("thunderbird.mbox" if mozilla else "classic.mbox")
            written = mbox(path, args.mbox_mb, mozilla=mozilla)

            def split(path: Path = path) -> int:
                with path.open("rb") as fh:
                    return sum(1 for _ in iter_mbox(fh, 1 << 24))

            def parse(path: Path = path) -> int:
                source = open_source(path)
                return sum(1 for _ in EmailImporter().parse(source, ImportOptions()))

            split_s, split_n = best_of(args.repeat, split)
            parse_s, parse_n = best_of(args.repeat, parse)
            print(f"{path.name}: {args.mbox_mb} MB, {written} messages written, "
                  f"{split_n} split, {parse_n} parsed; split {split_s:.2f} s, "
                  f"parse {parse_s:.2f} s ({parse_n / parse_s:,.0f} messages/s)")


if __name__ == "__main__":
    main()
