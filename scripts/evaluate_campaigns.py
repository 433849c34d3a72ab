"""Quality of campaign detection on synthetic campaigns planted into real background traffic.

    .venv/bin/python scripts/evaluate_campaigns.py                 # standard scenario, local
    .venv/bin/python scripts/evaluate_campaigns.py --engine dask   # same, on a Dask LocalCluster
    .venv/bin/python scripts/evaluate_campaigns.py --background real   # recorded background
    .venv/bin/python scripts/evaluate_campaigns.py --seed 1        # other draws of the same
    .venv/bin/python scripts/evaluate_campaigns.py --scenario small

Standard scenario (`amparo.campaigns.synthetic.Scenario()`, seed 7): the 218,971 real rows
(194,323 posts, 58,317 accounts, 42 days) of CooRTweet's german_elections.csv with filler texts,
each day's posts dealt to that day's accounts at random (`decorrelate_background`: every post
keeps its time and objects, every account its posts per day, but the data's own real,
unlabelled coordination is gone, so every non-planted account flagged is an error);
14 planted campaigns (STANDARD_CAMPAIGNS: 327 accounts; 3 to 60 accounts;
link-only, copy-paste-only, both, hashtag pushing; bursts of 5 s to 1 h; 3 to 6 rounds days
apart; phrase-swap paraphrasing 0.3 to 0.5; 0 to 100% new numbered accounts); decoys: one viral
link shared once each by 600 unrelated accounts over up to 8 hours (a third paste the
headline), one hashtag day (800 accounts over 24 hours).

The same background runs alone first (the *baseline*): `precision_vs_baseline` leaves the
accounts flagged there out, `precision` counts them as errors. With `--background real` the
recorded times and accounts are kept: that data contains real coordinated link sharing, and
the baseline is where it shows.
Writes benchmarks/out/campaigns_eval[-small][-dask][-real][-seedN].json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from amparo.campaigns import synthetic
from amparo.campaigns.detect import detect_campaigns
from amparo.campaigns.engines import make_engine

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def run(scenario: synthetic.Scenario, work: Path, engine_name: str) -> dict[str, Any]:
    engine = make_engine(engine_name)
    try:
        groups: list[list[str]] = []
        base: set[str] = set()
        for label, sc in (("baseline", synthetic.baseline_scenario(scenario)),
                          ("scenario", scenario)):
            path = work / f"{label}.parquet"
            truth = synthetic.write_scenario(sc, path)
            t = time.perf_counter()
            inputs = synthetic.load_scenario(path, work / f"{label}-inputs")
            detection = detect_campaigns(inputs, engine)
            seconds = time.perf_counter() - t
            if label == "baseline":
                base = {a for c in detection.campaigns for a in c.accounts}
            else:
                groups = [c.accounts for c in detection.campaigns]
        result = synthetic.score(groups, truth, base)
    finally:
        close = getattr(engine, "close", None)
        if close:
            close()
    result.update(engine=engine_name, window_seconds=round(detection.window, 1),
                  detect_seconds=round(seconds, 2),
                  timings={k: round(v, 2) for k, v in detection.timings.items()},
                  edges={k: len(v) for k, v in detection.edges.items()},
                  posts=truth.posts, scenario=scenario.parameters())
    result["scenario"]["campaigns"] = [c.name for c in scenario.campaigns]
    return result


def table(r: dict[str, Any]) -> str:
    lines = [f"posts {r['posts']:,}  window {r['window_seconds']} s  "
             f"detection {r['detect_seconds']} s ({r['engine']})",
             "",
             "| measure | value |", "| --- | ---: |"]
    for key in ("planted_accounts", "detected_accounts", "detected_planted", "recall",
                "precision", "precision_vs_baseline", "precision_planted_groups",
                "baseline_flagged", "background_flagged", "background_beyond_baseline"):
        v = r[key]
        lines.append(f"| {key} | {v:.3f} |" if isinstance(v, float) else f"| {key} | {v:,} |")
    for name, n in r["decoys_flagged"].items():
        lines.append(f"| decoys flagged: {name} | {n} of {r['decoy_accounts']} decoys |")
    lines += ["", "| kind | accounts | found | recall |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {k} | {v['accounts']} | {v['found']} | {v['recall']:.3f} |"
              for k, v in r["per_kind"].items()]
    lines += ["", "| campaign | kind | accounts | found | recall |",
              "| --- | --- | ---: | ---: | ---: |"]
    lines += [f"| {k} | {v['kind']} | {v['accounts']} | {v['found']} | {v['recall']:.3f} |"
              for k, v in r["per_campaign"].items()]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", choices=("standard", "small"), default="standard")
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--background", choices=("shuffled", "real"), default="shuffled",
                    help="who posted what in the background: shuffled within each day (labelled: "
                         "nothing coordinated) or as recorded (its own coordination included)")
    ap.add_argument("--work", type=Path, default=OUT / "campaigns-eval")
    args = ap.parse_args()
    scenario = synthetic.Scenario() if args.scenario == "standard" \
        else synthetic.small_scenario()
    if args.seed is not None:
        scenario = synthetic.with_seed(scenario, args.seed)
    scenario = replace(scenario, decorrelate_background=args.background == "shuffled")
    result = run(scenario, args.work, args.engine)
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.scenario == "standard" else f"-{args.scenario}") + \
        ("" if args.engine == "local" else f"-{args.engine}") + \
        ("" if args.background == "shuffled" else f"-{args.background}") + \
        ("" if args.seed is None else f"-seed{args.seed}")
    out = OUT / f"campaigns_eval{suffix}.json"
    out.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    print(table(result))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
