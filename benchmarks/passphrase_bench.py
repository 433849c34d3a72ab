"""What a passphrase costs every command: a passphrase workspace derives its vault key with
Argon2id (256 MiB, 3 passes, 1 lane: `amparo/store/keys.py`) each time a command opens it.
Runs a small command (`amparo defender list`) in a passphrase workspace and in a key-file
workspace, alternately, `--runs` times each, and reports the medians of wall time, CPU time
(user + system, wait4) and peak RSS; the difference is the key derivation.

    .venv/bin/python benchmarks/passphrase_bench.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import init_workspace, workspace_env
from machine import Run, describe, header, run_child, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--command", nargs="+", default=["defender", "list"],
                    help="the amparo command to time")
    args = ap.parse_args()
    machine = describe()
    print(header(machine), flush=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="amparo-kdf-") as tmp:
        envs = {key: workspace_env(Path(tmp), f"ws-{key}", key, None)
                for key in ("passphrase", "keyfile")}
        for key, env in envs.items():
            init_workspace(env, key)
        runs: dict[str, list[Run]] = {key: [] for key in envs}
        for _ in range(args.runs):
            for key, env in envs.items():
                runs[key].append(run_child([sys.executable, "-m", "amparo", *args.command], env,
                                           cwd=Path(tmp)))
        for key, rs in runs.items():
            results[key] = summary(rs)
    pp, kf = results["passphrase"], results["keyfile"]
    print(f"amparo {' '.join(args.command)}, median of {args.runs} runs:")
    for key, r in results.items():
        print(f"  {key:10} wall {r['median_wall_s']:5} s  CPU {r['median_cpu_s']:5} s  "
              f"peak RSS {r['peak_rss_mb']:6} MB  load {r['load'][0]}-{r['load'][1]}")
    print(f"  passphrase costs +{pp['median_cpu_s'] - kf['median_cpu_s']:.2f} s CPU, "
          f"+{pp['median_wall_s'] - kf['median_wall_s']:.2f} s wall and "
          f"+{pp['peak_rss_mb'] - kf['peak_rss_mb']:.0f} MB peak RSS per command")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "passphrase.json").write_text(json.dumps(
        {"machine": machine, "command": args.command, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
