"""Near-duplicate texts posted by different accounts: the copy-paste of a smear campaign, with
small edits, emoji, other links, mentions or hashtags.

1.–4. Signatures (`minhash.py`): normalised text, word 2-gram or character 5-gram
   shingles, 64 MinHash values and 16 LSH band keys per post, streamed to Parquet.
   `write_buckets` (DuckDB) keeps the buckets holding 2 to `settings.max_object_accounts`
   accounts: a bigger one is "viral" (as in co-sharing) and not paired.
5. **Map** over one bucket (engine key `bucket`): pairs of posts from different accounts within
   `settings.text_window_s`, kept when the estimated Jaccard (share of equal minhashes) is at
   least `settings.neardup_threshold`. Partials stay at post-pair granularity.
6. **Reduce**: one pair collides in up to 16 buckets: dedupe by (post_a, post_b), then cluster
   posts (connected components: the variants of one text) and aggregate per account pair.
   Exact and engine-independent.

Edges: `objects` = distinct near-duplicate texts (clusters) both accounts posted, `weight` =
the sum over those clusters of the best similarity between the two accounts' posts,
`examples` = up to 5 of the matched post ids (sorted).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from amparo.campaigns.duck import quiet_connect
from amparo.campaigns.engines import Engine, Table
from amparo.campaigns.minhash import (
    BANDS,
    BCOLS,
    HCOLS,
    NUM_PERM,
    ROWS,
    band_keys,
    normalize,
    normalize_texts,
    signatures,
    write_signatures,
)
from amparo.campaigns.model import EDGE_COLUMNS, Settings

__all__ = ["BANDS", "NUM_PERM", "ROWS", "NearDuplicates", "band_keys", "neardup",
           "neardup_clusters", "neardup_edges", "normalize", "normalize_texts", "signatures",
           "write_buckets", "write_signatures"]

_PAIRS_PER_BLOCK = 1_000_000
PAIR_COLUMNS = ("a", "b", "post_a", "post_b", "ts_a", "ts_b", "similarity", "variant_a",
                "variant_b")
CLUSTER_COLUMNS = ("cluster", "representative", "posts", "accounts", "variants", "first_ts",
                   "last_ts", "examples")


def write_buckets(sig_path: Path, out: Path, settings: Settings) -> int:
    """The LSH table for the engine: (bucket, post_id, account_id, timestamp, variant, h00…)
    for buckets holding 2 to `max_object_accounts` accounts and at most `max_bucket_posts`
    posts."""
    # A database file beside the output, not memory: its tables are evicted to disk when 10M
    # posts (160M bucket rows) exceed the memory limit.
    db = out.parent / "buckets.duckdb"
    db.unlink(missing_ok=True)
    con = quiet_connect(str(db), config={
        "memory_limit": "4GB", "threads": 2,
        "temp_directory": str(out.parent / "duckdb-spill"), "preserve_insertion_order": False})
    try:
        con.execute(f"create view sig as select * from read_parquet('{sig_path}')")
        unpivot = " union all ".join(f"select {c} as bucket, row, account_id from sig"
                                     for c in BCOLS)
        con.execute(f"""
            create table shared as
            select bucket from ({unpivot}) group by bucket
            having count(*) >= 2 and min(account_id) <> max(account_id)""")
        con.execute(f"""
            create table members as
            select u.bucket, u.row from ({unpivot}) u join shared using (bucket)""")
        con.execute(f"""
            create table picked as
            select row, post_id, account_id, timestamp, variant, {", ".join(HCOLS)}
            from sig semi join (select distinct row from members) using (row)""")
        con.execute(f"""
            create table kept as
            select bucket from members join picked using (row) group by bucket
            having count(distinct account_id) <= {int(settings.max_object_accounts)}
               and count(*) <= {int(settings.max_bucket_posts)}""")
        con.execute(f"""
            copy (select m.bucket, p.* exclude (row) from members m
                  join kept using (bucket) join picked p using (row))
            to '{out}' (format parquet)""")
        n = con.execute(f"select count(*) from read_parquet('{out}')").fetchone()
    finally:
        con.close()
        db.unlink(missing_ok=True)
        Path(f"{db}.wal").unlink(missing_ok=True)
    return int(n[0]) if n else 0


# --------------------------------------------------------------------------- map and reduce


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "a": pd.Series(dtype=object), "b": pd.Series(dtype=object),
        "post_a": pd.Series(dtype=object), "post_b": pd.Series(dtype=object),
        "ts_a": pd.Series(dtype="float64"), "ts_b": pd.Series(dtype="float64"),
        "similarity": pd.Series(dtype="float64"),
        "variant_a": pd.Series(dtype="int64"), "variant_b": pd.Series(dtype="int64"),
    })


def bucket_pairs(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The map: near-duplicate post pairs inside each bucket of `frame` (all rows of a bucket
    are present). Pairs are oriented so that account a < account b."""
    if frame.empty:
        return _empty_pairs()
    frame = frame.sort_values(["bucket", "timestamp", "post_id"], kind="stable")
    bucket = frame["bucket"].to_numpy(np.int64)
    ts = frame["timestamp"].to_numpy(np.float64)
    keys = np.empty(len(frame), [("g", "<i8"), ("t", "<f8")])
    keys["g"], keys["t"] = bucket, ts
    query = keys.copy()
    query["t"] = ts + settings.text_window_s
    ends = np.searchsorted(keys, query, side="right")
    counts = ends - np.arange(len(frame)) - 1
    accounts = frame["account_id"].to_numpy(object)
    acc_codes = pd.factorize(accounts)[0]
    sig = frame[HCOLS].to_numpy(np.uint32)
    posts = frame["post_id"].to_numpy(object)
    variants = frame["variant"].to_numpy(np.int64)
    need = max(1, int(np.ceil(settings.neardup_threshold * NUM_PERM - 1e-9)))
    out = []
    cum = np.cumsum(counts)
    lo = 0
    while lo < len(frame):
        hi = int(np.searchsorted(cum, cum[lo] - counts[lo] + _PAIRS_PER_BLOCK, side="right"))
        hi = min(max(hi, lo + 1), len(frame))
        c = counts[lo:hi]
        total = int(c.sum())
        if total:
            i = np.repeat(np.arange(lo, hi), c)
            j = i + 1 + (np.arange(total) - np.repeat(np.cumsum(c) - c, c))
            m = acc_codes[i] != acc_codes[j]
            i, j = i[m], j[m]
            equal = (sig[i] == sig[j]).sum(axis=1)
            m = equal >= need
            i, j, equal = i[m], j[m], equal[m]
            if len(i):
                swap = accounts[i] > accounts[j]
                x, y = np.where(swap, j, i), np.where(swap, i, j)
                out.append(pd.DataFrame({
                    "a": accounts[x], "b": accounts[y], "post_a": posts[x], "post_b": posts[y],
                    "ts_a": ts[x], "ts_b": ts[y], "similarity": equal / NUM_PERM,
                    "variant_a": variants[x], "variant_b": variants[y]}))
        lo = hi
    if not out:
        return _empty_pairs()
    return pd.concat(out, ignore_index=True).drop_duplicates(["post_a", "post_b"])


def combine_pairs(partials: pd.DataFrame) -> pd.DataFrame:
    """The reduce: one row per near-duplicate post pair, in a fixed order."""
    pairs = partials.drop_duplicates(["post_a", "post_b"])
    return pairs.sort_values(["post_a", "post_b"]).reset_index(drop=True)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NearDuplicates:
    pairs: pd.DataFrame  # PAIR_COLUMNS plus `cluster`
    edges: pd.DataFrame  # EDGE_COLUMNS
    clusters: pd.DataFrame  # CLUSTER_COLUMNS


def _label_clusters(pairs: pd.DataFrame) -> pd.DataFrame:
    """Connected components of the post-pair graph; a cluster is named by its smallest post
    id, so labels do not depend on the order rows arrived in."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    codes, uniques = pd.factorize(pd.concat([pairs["post_a"], pairs["post_b"]],
                                            ignore_index=True), sort=True)
    n, m = len(uniques), len(pairs)
    graph = coo_matrix((np.ones(m, np.int8), (codes[:m], codes[m:])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # uniques are sorted: the smallest code of a component is its smallest post id
    first = pd.Series(np.arange(n)).groupby(labels).transform("min").to_numpy()
    name = np.asarray(uniques, dtype=object)[first]
    return pairs.assign(cluster=name[codes[:m]])


def _edges(pairs: pd.DataFrame) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in (
            "weight", "first_ts", "last_ts") else "int64" if c == "objects" else object)
            for c in EDGE_COLUMNS})
    per_cluster = pairs.groupby(["a", "b", "cluster"], sort=False).agg(
        best=("similarity", "max"), first=("ts_a", "min"), first_b=("ts_b", "min"),
        last=("ts_a", "max"), last_b=("ts_b", "max")).reset_index()
    per_cluster["first"] = per_cluster[["first", "first_b"]].min(axis=1)
    per_cluster["last"] = per_cluster[["last", "last_b"]].max(axis=1)
    edges = per_cluster.groupby(["a", "b"], sort=True).agg(
        weight=("best", "sum"), objects=("cluster", "size"), first_ts=("first", "min"),
        last_ts=("last", "max")).reset_index()
    ids = pd.concat([pairs[["a", "b", "post_a"]].rename(columns={"post_a": "post"}),
                     pairs[["a", "b", "post_b"]].rename(columns={"post_b": "post"})])
    ids = ids.drop_duplicates().sort_values(["a", "b", "post"])
    first5 = ids.groupby(["a", "b"], sort=False).head(5)
    examples = first5.groupby(["a", "b"], sort=True)["post"].agg("|".join)
    edges["examples"] = examples.to_numpy()
    edges["signal"] = "near_duplicate"
    edges["weight"] = edges["weight"].round(6)
    return edges.loc[:, list(EDGE_COLUMNS)].reset_index(drop=True)


def _clusters(pairs: pd.DataFrame) -> pd.DataFrame:
    cols = ["cluster", "post", "account", "ts", "variant"]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c.endswith("_ts") else "int64"
                                          if c in ("posts", "accounts", "variants")
                                          else object) for c in CLUSTER_COLUMNS})
    side_a = pairs[["cluster", "post_a", "a", "ts_a", "variant_a"]].set_axis(cols, axis=1)
    side_b = pairs[["cluster", "post_b", "b", "ts_b", "variant_b"]].set_axis(cols, axis=1)
    both = pd.concat([side_a, side_b], ignore_index=True)
    degree = both.groupby(["cluster", "post"]).size().rename("degree")
    posts = both.drop_duplicates(["cluster", "post"]).join(degree, on=["cluster", "post"])
    # the most connected variant represents the cluster (then the earliest, then smallest id)
    posts = posts.sort_values(["cluster", "degree", "ts", "post"],
                              ascending=[True, False, True, True])
    grouped = posts.groupby("cluster", sort=True)
    result = grouped.agg(representative=("post", "first"), posts=("post", "size"),
                         accounts=("account", "nunique"), variants=("variant", "nunique"),
                         first_ts=("ts", "min"), last_ts=("ts", "max")).reset_index()
    result["examples"] = grouped["post"].agg(lambda s: "|".join(sorted(s)[:5])).to_numpy()
    return result.loc[:, list(CLUSTER_COLUMNS)]


def neardup(posts: Table, engine: Engine, settings: Settings | None = None,
            work: Path | None = None) -> NearDuplicates:
    """Near-duplicate pairs, account edges and text clusters. Intermediate Parquet tables go
    to `work` (kept) or to a temporary folder next to the posts (removed)."""
    settings = settings or Settings()
    tmp: str | None = None
    if work is None:
        parent = posts.path.parent if posts.path is not None else None
        tmp = tempfile.mkdtemp(prefix="neardup-", dir=parent)
        work = Path(tmp)
    try:
        sig_path, bucket_path = work / "minhash.parquet", work / "lsh_buckets.parquet"
        write_signatures(posts, sig_path, settings)
        write_buckets(sig_path, bucket_path, settings)
        pairs = engine.map_reduce(Table(path=bucket_path), "bucket",
                                  partial(bucket_pairs, settings=settings), combine_pairs,
                                  _empty_pairs())
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    pairs = _label_clusters(pairs) if len(pairs) else pairs.assign(
        cluster=pd.Series(dtype=object))
    return NearDuplicates(pairs, _edges(pairs), _clusters(pairs))


def neardup_edges(posts: Table, engine: Engine, settings: Settings | None = None,
                  work: Path | None = None) -> pd.DataFrame:
    """Account pairs that posted near-identical texts (EDGE_COLUMNS, sorted by a, b)."""
    return neardup(posts, engine, settings, work).edges


def neardup_clusters(posts: Table, engine: Engine, settings: Settings | None = None,
                     work: Path | None = None) -> pd.DataFrame:
    """Groups of near-identical posts (CLUSTER_COLUMNS): a representative post id, how many
    posts, accounts and distinct variants, the span, up to 5 post ids."""
    return neardup(posts, engine, settings, work).clusters
