"""End-to-end detection throughput and memory: `amparo analyze -` over N mixed-language
messages (JSON lines on stdin), with the full default detector set, plus each detector alone on
one core to show what dominates the cost.

    .venv/bin/python benchmarks/analyze_bench.py                 # 1,000,000 messages
    .venv/bin/python benchmarks/analyze_bench.py --messages 200000 --workers 2

Texts are real posts from ../shared/data (ToLD-Br pt, MLMA en/fr/ar, Davidson en) plus
Spanish and doxing/link/threat sentences written here, sampled with a fixed seed. Peak memory is
the largest sum of RSS over the whole process tree (the command and its worker processes),
sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
EXTRA = [
    "Te vamos a encontrar, ladrona de tierras, sabemos dónde vives",
    "¿Alguien tiene el contacto de la abogada de la red? Gracias compañeras",
    "Sabemos onde sua filha estuda, Escola Estadual Rio Tapajós",
    "vou te matar sua vagabunda",
    "liga pra ela: (91) 98765-4321, mora na Travessa das Mangueiras 214",
    "verifica tua conta aqui: http://whatsapp-seguranca.net/login",
    "CPF dela: 529.982.247-25 espalhem",
    "Nous sommes solidaires avec Marina et sa communauté",
    "Check this out bit.ly/3xYzAbc",
    "Reunião amanhã às 15h na sede, tragam os documentos",
]


def corpus() -> list[str]:
    texts: list[str] = []
    with (DATA / "told-br" / "ToLD-BR.csv").open(encoding="utf-8") as fh:
        texts += [r["text"] for r in csv.DictReader(fh)]
    for lang in ("en", "fr", "ar"):
        with (DATA / "mlma" / "hate_speech_mlma" / f"{lang}_dataset.csv").open(
                encoding="utf-8") as fh:
            texts += [r["tweet"] for r in csv.DictReader(fh)]
    with (DATA / "davidson-hate-offensive" / "data_labeled_data.csv").open(
            encoding="utf-8") as fh:
        texts += [r["tweet"] for r in csv.DictReader(fh)][:10000]
    return texts + EXTRA * 300


def write_input(path: Path, n: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    texts = corpus()
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": str(i), "text": rng.choice(texts)}) + "\n")


def run_end_to_end(path: Path, workers: int | None) -> dict[str, float]:
    cmd = [sys.executable, "-m", "amparo", "analyze", "-", "--json",
           "--manifest", str(path.with_suffix(".manifest.json"))]
    if workers:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    with path.open("rb") as stdin:
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        peak = 0
        findings = 0
        assert proc.stdout is not None
        parent = psutil.Process(proc.pid)
        last_sample = 0.0
        for _ in proc.stdout:
            findings += 1
            now = time.perf_counter()
            if now - last_sample > 0.1:
                peak = max(peak, _tree_rss(parent))
                last_sample = now
        proc.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        assert proc.stderr is not None
        raise SystemExit(proc.stderr.read().decode())
    manifest = json.loads(path.with_suffix(".manifest.json").read_text())
    n = manifest["messages"]
    return {"messages": n, "findings": findings, "seconds": round(elapsed, 1),
            "messages_per_s": round(n / elapsed), "peak_rss_mb": round(peak / 2**20)}


def _tree_rss(proc: psutil.Process) -> int:
    try:
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs if p.is_running())
    except psutil.Error:
        return 0


def per_detector(sample: int = 20000) -> dict[str, float]:
    """Each stage alone, one core, batches of 1,000: messages per second."""
    from amparo.detect.base import DetectorContext, TextItem
    from amparo.detect.language import LanguageIdentifier
    from amparo.detect.registry import DETECTORS

    rng = random.Random(5)
    texts = corpus()
    items = [TextItem(str(i), rng.choice(texts)) for i in range(sample)]
    batches = [items[i:i + 1000] for i in range(0, len(items), 1000)]
    result: dict[str, float] = {}
    ident = LanguageIdentifier()
    ident.load()
    start = time.perf_counter()
    for b in batches:
        ident.identify([t.text for t in b])
    result["language"] = round(sample / (time.perf_counter() - start))
    for name, cls in DETECTORS.items():
        det = cls()
        det.load(DetectorContext(country="BR"))
        start = time.perf_counter()
        for b in batches:
            det.detect(b)
        result[name] = round(sample / (time.perf_counter() - start))
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    stages = per_detector()
    print("one core, each stage alone (messages/s):")
    for name, rate in stages.items():
        print(f"  {name:10} {rate:>9,}")
    cost = {k: 1 / v for k, v in stages.items()}
    total = sum(cost.values())
    print("share of the per-message cost: " + ", ".join(
        f"{k} {v / total:.0%}" for k, v in sorted(cost.items(), key=lambda kv: -kv[1])))
    with tempfile.TemporaryDirectory(prefix="amparo-analyze-") as tmp:
        data = Path(tmp) / "messages.jsonl"
        write_input(data, args.messages)
        result = run_end_to_end(data, args.workers)
    print(f"end to end, amparo analyze - (all detectors): {result}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "analyze.json").write_text(json.dumps({"stages": stages, "end_to_end": result},
                                                 indent=2) + "\n")


if __name__ == "__main__":
    main()
