"""Near-duplicate text signal at corpus scale: signature throughput and the whole
`neardup()` (signatures, LSH buckets, engine map/reduce, clusters and edges) on N posts.

    .venv/bin/python benchmarks/neardup_bench.py --posts 1000000
    .venv/bin/python benchmarks/neardup_bench.py --posts 200000 --engines local dask

Input (deterministic, seeded, cached in benchmarks/out/neardup-N.parquet): background posts
are 6–45 words drawn with their real frequencies from the vocabularies of ToLD-Br (pt),
Davidson (en) and MLMA (en, fr, ar) in ../shared/data, one language per post, with URLs,
mentions, hashtags and emoji sprinkled in, by N / 10 accounts with Zipf-like activity over
30 days. About 2% of posts are planted: groups of 10 accounts posting variants of one text
(15–40 words) within 30 minutes: each variant swaps a word, adds emoji, its own link,
mention or hashtag, or changes case. Wall and CPU seconds of this process (its threads,
DuckDB's included; not Dask's worker processes) and the 1-minute load average are recorded:
on a shared, busy machine compare CPU seconds. Recall is measured on the planted account pairs;
`stray` counts edges between accounts of different groups or the background.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).parent / "out"
DATA = Path(__file__).parents[2] / "shared" / "data"
DAY = 86400.0
GROUP_ACCOUNTS, GROUP_SPREAD_S = 10, 1800.0
EMOJI = ["😡", "🔥", "👀", "💚", "🇧🇷", "😂", "‼️", "👇"]
SCHEMA = pa.schema([("post_id", pa.string()), ("account_id", pa.string()),
                    ("timestamp", pa.float64()), ("text", pa.string())])
_WORD = re.compile(r"[^\W\d_]{2,}")


def _vocabularies() -> list[tuple[list[str], np.ndarray]]:
    sources = [(DATA / "told-br" / "ToLD-BR.csv", "text"),
               (DATA / "davidson-hate-offensive" / "data_labeled_data.csv", "tweet")]
    sources += [(DATA / "mlma" / "hate_speech_mlma" / f"{lang}_dataset.csv", "tweet")
                for lang in ("en", "fr", "ar")]
    vocabularies = []
    for path, column in sources:
        counts: Counter[str] = Counter()
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                counts.update(w for w in _WORD.findall(row[column]) if w.lower() != "user")
        words, freq = zip(*counts.most_common(20000), strict=True)
        cdf = np.cumsum(np.asarray(freq, float))
        vocabularies.append((list(words), cdf / cdf[-1]))
    return vocabularies


def _sentence(rng: np.random.Generator, vocab: tuple[list[str], np.ndarray], n: int) -> list[str]:
    words, cdf = vocab
    return [words[i] for i in np.searchsorted(cdf, rng.random(n))]


def _decorate(words: list[str], rng: np.random.Generator, uid: int) -> str:
    out = list(words)
    roll = rng.random()
    if roll < 0.3:
        out.append(f"https://t.co/{uid:x}")
    if rng.random() < 0.3:
        out.insert(0, f"@user{uid % 9973}")
    if rng.random() < 0.2:
        out.append("#" + out[int(rng.integers(len(out)))].lstrip("@"))
    if rng.random() < 0.2:
        out.append(EMOJI[int(rng.integers(len(EMOJI)))])
    return " ".join(out)


def _variant(base: list[str], rng: np.random.Generator, uid: int,
             vocab: tuple[list[str], np.ndarray]) -> str:
    words = list(base)
    edit = rng.integers(5)
    if edit == 0:
        words[int(rng.integers(len(words)))] = _sentence(rng, vocab, 1)[0]
    elif edit == 1:
        words.insert(int(rng.integers(len(words))), EMOJI[int(rng.integers(len(EMOJI)))])
    elif edit == 2:
        words = [w.upper() if rng.random() < 0.3 else w for w in words]
    elif edit == 3:
        words.append(f"#{words[0]}{uid % 7}")
    return _decorate(words, rng, uid)


def generate(path: Path, n: int, seed: int = 11, chunk: int = 100_000) -> int:
    """Write N posts; returns the number of planted groups (accounts p{g}_{k})."""
    rng = np.random.default_rng(seed)
    vocabularies = _vocabularies()
    lang_p = np.array([0.4, 0.25, 0.15, 0.1, 0.1])
    accounts = max(100, n // 10)
    acc_w = 1.0 / np.arange(1, accounts + 1) ** 0.8
    acc_w /= acc_w.sum()
    groups = max(1, n // 500)  # 10 posts each: ~2% of posts
    planted: list[tuple[str, str, float, str]] = []
    for g in range(groups):
        vocab = vocabularies[int(rng.choice(len(vocabularies), p=lang_p))]
        base = _sentence(rng, vocab, int(rng.integers(15, 41)))
        start = float(rng.uniform(0, 30 * DAY))
        for k in range(GROUP_ACCOUNTS):
            uid = g * GROUP_ACCOUNTS + k
            planted.append((f"q{uid}", f"p{g}_{k}", start + float(rng.uniform(0, GROUP_SPREAD_S)),
                            _variant(base, rng, uid, vocab)))
    background = n - len(planted)
    with pq.ParquetWriter(path, SCHEMA) as writer:
        done = 0
        while done < background:
            m = min(chunk, background - done)
            langs = rng.choice(len(vocabularies), m, p=lang_p)
            lengths = rng.integers(6, 46, m)
            acc = rng.choice(accounts, m, p=acc_w)
            texts = [""] * m
            for lang, (words, cdf) in enumerate(vocabularies):
                rows = np.flatnonzero(langs == lang)
                picks = np.searchsorted(cdf, rng.random(int(lengths[rows].sum())))
                bounds = np.cumsum(lengths[rows])
                for r, lo, hi in zip(rows, bounds - lengths[rows], bounds, strict=True):
                    texts[r] = _decorate([words[w] for w in picks[lo:hi]], rng, done + int(r))
            writer.write_table(pa.table({
                "post_id": [f"b{i}" for i in range(done, done + m)],
                "account_id": [f"a{a}" for a in acc],
                "timestamp": rng.uniform(0, 30 * DAY, m),
                "text": texts}, schema=SCHEMA))
            done += m
        writer.write_table(pa.Table.from_pylist(
            [dict(zip(SCHEMA.names, row, strict=True)) for row in planted], SCHEMA))
    return groups


def measure(n: int, engines: list[str]) -> list[dict[str, object]]:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from amparo.campaigns import neardup as nd
    from amparo.campaigns.engines import Table, make_engine
    from amparo.campaigns.model import Settings

    OUT.mkdir(exist_ok=True)
    path = OUT / f"neardup-{n}.parquet"
    groups = n // 500
    if not path.exists():
        t = time.perf_counter()
        groups = generate(path, n)
        print(f"generated {n} posts in {time.perf_counter() - t:.1f} s", flush=True)
    settings = Settings()
    posts = Table(path=path)
    work = OUT / f"neardup-{n}-work"
    work.mkdir(exist_ok=True)
    results = []
    t, c = time.perf_counter(), time.process_time()
    signed = nd.write_signatures(posts, work / "minhash.parquet", settings)
    t_sig, c_sig = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    bucket_rows = nd.write_buckets(work / "minhash.parquet", work / "lsh_buckets.parquet",
                                   settings)
    t_buckets, c_buckets = time.perf_counter() - t, time.process_time() - c
    for name in engines:
        engine = make_engine(name)
        t, c = time.perf_counter(), time.process_time()
        result = nd.neardup(posts, engine, settings)
        total, c_total = time.perf_counter() - t, time.process_time() - c
        close = getattr(engine, "close", None)
        if close is not None:
            close()
        edges = result.edges
        planted = edges[edges["a"].str.startswith("p") & edges["b"].str.startswith("p")]
        same = planted["a"].str.split("_").str[0] == planted["b"].str.split("_").str[0]
        found = int(same.sum())
        expected = groups * GROUP_ACCOUNTS * (GROUP_ACCOUNTS - 1) // 2
        row = {"engine": name, "posts": n, "signed_posts": signed,
               "signatures_s": round(t_sig, 2), "signatures_posts_per_s": round(n / t_sig),
               "signatures_cpu_s": round(c_sig, 2),
               "buckets_s": round(t_buckets, 2), "buckets_cpu_s": round(c_buckets, 2),
               "bucket_rows": bucket_rows,
               "neardup_s": round(total, 2), "neardup_posts_per_s": round(n / total),
               "neardup_cpu_s": round(c_total, 2), "load_avg_1min": os.getloadavg()[0],
               "edges": len(edges), "clusters": len(result.clusters),
               "planted_pair_recall": round(found / expected, 4),
               "stray_edges": len(edges) - found,
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--engines", nargs="+", default=["local"])
    args = parser.parse_args()
    results = [r for n in args.posts for r in measure(n, args.engines)]
    (OUT / "neardup.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
