"""Near-duplicate texts posted by different accounts: the copy-paste of a smear campaign, with
small edits, emoji, other links, mentions or hashtags.

1.–4. Signatures (`minhash.py`): normalised text, word 2-gram or character 5-gram
   shingles, 64 MinHash values and 16 LSH band keys per post, streamed to Parquet.
   `write_buckets` (DuckDB, on disk) turns them into (bucket, post) rows and keeps only the
   rows that can take part in a pair:
   - the post has another post of its bucket within `settings.text_window_s` (before or
     after it); a post alone in its bucket at that time can pair with nothing there, and most
     of the 16 rows of most posts are such (exact: nothing is lost);
   - posts of 2 or more accounts are near in time in the bucket (exact as well);
   - the bucket holds at most `settings.max_object_accounts` accounts in all: a bigger one is
     a "viral" text (as in co-sharing) and is not paired.
5. **Map** over one bucket (engine key `bucket`): its posts in (timestamp, post id) order; each
   post is compared with the later posts within `settings.text_window_s`, **at most
   `settings.max_text_neighbours` of them** (the next ones in time), and a pair of posts from
   different accounts is kept when the estimated Jaccard (share of equal minhashes) is at least
   `settings.neardup_threshold`. This bound is what is skipped, and why: boilerplate ("good
   morning" posts, share-button texts, template chatter) can put thousands of posts of one
   text into a bucket within a few hours; comparing all of them is quadratic in that crowd,
   comparing each with its next 100 is linear, and the crowd stays connected through the
   chain of neighbours. What is lost is the direct pair between two posts with more than 100
   posts of the same bucket between them in time — inside a coordinated burst larger than
   any planted group (60 accounts) or inside boilerplate. Another text's posts have buckets of
   their own, so a copy-paste group inside heavy boilerplate keeps its pairs. The order is
   fixed (ties in time by post id), so the result is deterministic, does not depend on the
   order of the input rows, and is the same on every engine. Partials are post pairs by
   signature row and account rank (integers: cheap to move and compare).
6. **Reduce**: one pair collides in up to 16 buckets: dedupe by (row_a, row_b); then the
   post and account ids are looked up for the pairs found, posts are clustered (connected
   components: the variants of one text) and the pairs aggregated per account pair.
   Exact and engine-independent.

Edges: `objects` = distinct near-duplicate texts (clusters) both accounts posted within
`text_window_s` of each other, `weight` = the sum over those clusters of the best similarity
between the two accounts' posts, `examples` = up to 5 of the matched post ids (sorted).
Two accounts count as having posted the same text when their posts are in one cluster, not
only when the two posts are directly similar: a paraphrased campaign copy often differs from
another copy by more than the threshold while both are close to a third (on the standard
scenario this took copy-paste-only campaigns from 0.85 to 0.94 recall with no background
account added). For such chained pairs the similarity is taken as the threshold. Only
clusters of at most `settings.max_cluster_posts` posts are expanded this way (the pairs of a
cluster cost its size squared; bigger clusters are boilerplate and keep their direct pairs).
"""

from __future__ import annotations

import shutil
import tempfile
import time
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

__all__ = ["BANDS", "NUM_PERM", "ROWS", "NearDuplicates", "band_keys", "near_pairs",
           "neardup", "neardup_clusters", "neardup_edges", "normalize", "normalize_texts",
           "signatures", "write_buckets", "write_signatures"]

_PAIRS_PER_BLOCK = 1_000_000
_BUCKET_MEMORY = "1500MB"  # DuckDB spills beyond this (10M posts: 160M band keys)
PAIR_COLUMNS = ("a", "b", "post_a", "post_b", "ts_a", "ts_b", "similarity", "variant_a",
                "variant_b")
CLUSTER_COLUMNS = ("cluster", "representative", "posts", "accounts", "variants", "first_ts",
                   "last_ts", "examples")


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "a": pd.Series(dtype=object), "b": pd.Series(dtype=object),
        "post_a": pd.Series(dtype=object), "post_b": pd.Series(dtype=object),
        "ts_a": pd.Series(dtype="float64"), "ts_b": pd.Series(dtype="float64"),
        "similarity": pd.Series(dtype="float64"),
        "variant_a": pd.Series(dtype="int64"), "variant_b": pd.Series(dtype="int64"),
    })


def write_buckets(sig_path: Path, out: Path, settings: Settings) -> int:
    """The LSH table for the engine: (bucket, row, pid, acc, timestamp, variant, h00…), one
    row per (bucket, post) that can be part of a pair (see the module docstring: the post has
    another post of the bucket within `text_window_s`, 2+ accounts are near in time in the
    bucket, the bucket holds at most `max_object_accounts` accounts in all). `row` is the
    post's row in the signature table, `pid` its rank in post id order (ties in time are
    broken by it, so the order of the input rows does not matter), `acc` its account's rank
    in the sorted account ids (so acc order is account id order). Returns the rows written."""
    # A database file beside the output, not memory: its tables are evicted to disk when 10M
    # posts (160M bucket rows) exceed the memory limit.
    db = out.parent / "buckets.duckdb"
    db.unlink(missing_ok=True)
    con = quiet_connect(str(db), config={
        "memory_limit": _BUCKET_MEMORY, "threads": 2,
        "temp_directory": str(out.parent / "duckdb-spill"), "preserve_insertion_order": False})
    window = float(settings.text_window_s)
    most = int(settings.max_object_accounts)
    try:
        con.execute(f"create view sig as select * from read_parquet('{sig_path}')")
        con.execute("""
            create table accounts as
            select account_id, (row_number() over (order by account_id) - 1)::bigint as acc
            from (select distinct account_id from sig)""")
        con.execute(f"""
            create table keyed as
            select row, acc, timestamp, {", ".join(BCOLS)},
                   (row_number() over (order by post_id, row) - 1)::bigint as pid
            from sig join accounts using (account_id)""")
        unpivot = " union all ".join(f"select {c} as bucket, row, acc, timestamp from keyed"
                                     for c in BCOLS)
        # Rows with a neighbour in time inside their bucket: no other row can be paired there.
        con.execute(f"""
            create table near as
            select bucket, row, acc, n from (
                select bucket, row, acc, timestamp,
                       timestamp - lag(timestamp) over w as before,
                       lead(timestamp) over w - timestamp as after,
                       count(*) over (partition by bucket) as n
                from ({unpivot})
                window w as (partition by bucket order by timestamp, row))
            where before <= {window} or after <= {window}""")
        # Buckets where 2+ accounts are near in time; of those, the ones with more than `most`
        # rows may be viral: count their accounts over the whole bucket.
        con.execute("""
            create table paired as
            select bucket, max(n) as n from near group by bucket having min(acc) <> max(acc)""")
        con.execute(f"""
            create table viral as
            select bucket from ({unpivot}) u
            semi join (select bucket from paired where n > {most}) using (bucket)
            group by bucket having count(distinct acc) > {most}""")
        con.execute(f"""
            copy (select n.bucket, n.row, k.pid, n.acc, s.timestamp, s.variant,
                         {", ".join("s." + c for c in HCOLS)}
                  from near n semi join paired using (bucket) anti join viral using (bucket)
                  join keyed k using (row) join sig s using (row))
            to '{out}' (format parquet)""")
        n = con.execute(f"select count(*) from read_parquet('{out}')").fetchone()
    finally:
        con.close()
        db.unlink(missing_ok=True)
        Path(f"{db}.wal").unlink(missing_ok=True)
    return int(n[0]) if n else 0


# --------------------------------------------------------------------------- map and reduce

_ROW_PAIR_COLUMNS = ("acc_a", "acc_b", "row_a", "row_b", "ts_a", "ts_b", "similarity",
                     "variant_a", "variant_b")


def _empty_row_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c.startswith("ts_") or
                                      c == "similarity" else "int64")
                         for c in _ROW_PAIR_COLUMNS})


def bucket_pairs(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The map: near-duplicate post pairs inside each bucket of `frame` (all rows of a bucket
    are present), by signature row and account rank, oriented so that acc_a < acc_b.

    In each bucket, posts in (timestamp, post id) order; post i meets the posts i+1, i+2, … that
    are within `text_window_s` of it, at most `max_text_neighbours` of them. Step k compares
    every post still in reach with the one k places later, so the work is the number of
    comparisons plus one pass per step, never a bucket's size squared."""
    if frame.empty:
        return _empty_row_pairs()
    order = np.lexsort((frame["pid"].to_numpy(np.int64),
                        frame["timestamp"].to_numpy(np.float64),
                        frame["bucket"].to_numpy(np.int64)))
    bucket = frame["bucket"].to_numpy(np.int64)[order]
    ts = frame["timestamp"].to_numpy(np.float64)[order]
    rows = frame["row"].to_numpy(np.int64)[order]
    acc = frame["acc"].to_numpy(np.int64)[order]
    variants = frame["variant"].to_numpy(np.int64)[order]
    sig = frame[HCOLS].to_numpy(np.uint32)[order]
    need = max(1, int(np.ceil(settings.neardup_threshold * NUM_PERM - 1e-9)))
    reach = ts + settings.text_window_s
    n = len(frame)
    active = np.arange(n)
    out = []
    for k in range(1, int(settings.max_text_neighbours) + 1):
        active = active[active + k < n]
        later = active + k
        inside = (bucket[later] == bucket[active]) & (ts[later] <= reach[active])
        active, later = active[inside], later[inside]
        if not len(active):
            break
        other = acc[active] != acc[later]
        i, j = active[other], later[other]
        for lo in range(0, len(i), _PAIRS_PER_BLOCK):
            x, y = i[lo:lo + _PAIRS_PER_BLOCK], j[lo:lo + _PAIRS_PER_BLOCK]
            equal = (sig[x] == sig[y]).sum(axis=1)
            hit = equal >= need
            x, y, equal = x[hit], y[hit], equal[hit]
            if len(x):
                swap = acc[x] > acc[y]
                x, y = np.where(swap, y, x), np.where(swap, x, y)
                out.append(pd.DataFrame({
                    "acc_a": acc[x], "acc_b": acc[y], "row_a": rows[x], "row_b": rows[y],
                    "ts_a": ts[x], "ts_b": ts[y], "similarity": equal / NUM_PERM,
                    "variant_a": variants[x], "variant_b": variants[y]}))
    if not out:
        return _empty_row_pairs()
    return pd.concat(out, ignore_index=True).drop_duplicates(["row_a", "row_b"])


def combine_pairs(partials: pd.DataFrame) -> pd.DataFrame:
    """The reduce: one row per near-duplicate post pair, in a fixed order."""
    pairs = partials.drop_duplicates(["row_a", "row_b"])
    return pairs.sort_values(["row_a", "row_b"]).reset_index(drop=True)


def _with_ids(pairs: pd.DataFrame, sig_path: Path) -> pd.DataFrame:
    """Row pairs -> PAIR_COLUMNS: post and account ids looked up in the signature table,
    sorted by (post_a, post_b)."""
    if pairs.empty:
        return _empty_pairs()
    rows = pd.DataFrame({"row": np.unique(np.concatenate([pairs["row_a"].to_numpy(),
                                                            pairs["row_b"].to_numpy()]))})
    con = quiet_connect(config={"threads": 2})
    try:
        con.register("wanted", rows)
        ids = con.execute(f"""
            select row, post_id, account_id from read_parquet('{sig_path}')
            semi join wanted using (row)""").df().set_index("row")
    finally:
        con.close()
    post = ids["post_id"].astype(object)
    account = ids["account_id"].astype(object)
    result = pd.DataFrame({
        "a": account.reindex(pairs["row_a"]).to_numpy(object),
        "b": account.reindex(pairs["row_b"]).to_numpy(object),
        "post_a": post.reindex(pairs["row_a"]).to_numpy(object),
        "post_b": post.reindex(pairs["row_b"]).to_numpy(object),
        "ts_a": pairs["ts_a"].to_numpy(), "ts_b": pairs["ts_b"].to_numpy(),
        "similarity": pairs["similarity"].to_numpy(),
        "variant_a": pairs["variant_a"].to_numpy(), "variant_b": pairs["variant_b"].to_numpy()})
    return result.sort_values(["post_a", "post_b"]).reset_index(drop=True)


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


def _pair_sides(pairs: pd.DataFrame) -> pd.DataFrame:
    """Both ends of every post pair as rows (cluster, post, account, ts, variant): a post
    appears once per pair it is in."""
    cols = ["cluster", "post", "account", "ts", "variant"]
    return pd.concat([
        pairs[["cluster", "post_a", "a", "ts_a", "variant_a"]].set_axis(cols, axis=1),
        pairs[["cluster", "post_b", "b", "ts_b", "variant_b"]].set_axis(cols, axis=1),
    ], ignore_index=True)


def _cluster_mates(pairs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Post pairs (PAIR_COLUMNS plus `cluster`, `similarity` NaN) of different accounts in the
    same cluster within `text_window_s`, for clusters of at most `max_cluster_posts` posts:
    variants of one text linked through a chain of near-duplicates, even where the two copies
    themselves differ too much (phrase swaps on both sides)."""
    posts = _pair_sides(pairs).drop_duplicates(["cluster", "post"])
    size = posts.groupby("cluster")["post"].transform("size")
    posts = posts[size.between(3, settings.max_cluster_posts)]  # 2 posts: the pair itself
    both = posts.merge(posts, on="cluster", suffixes=("_a", "_b"))
    both = both[(both["account_a"] < both["account_b"])
                & ((both["ts_a"] - both["ts_b"]).abs() <= settings.text_window_s)]
    return pd.DataFrame({
        "a": both["account_a"], "b": both["account_b"], "post_a": both["post_a"],
        "post_b": both["post_b"], "ts_a": both["ts_a"], "ts_b": both["ts_b"],
        "similarity": np.nan, "variant_a": both["variant_a"], "variant_b": both["variant_b"],
        "cluster": both["cluster"]})


def _edges(pairs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in (
            "weight", "first_ts", "last_ts") else "int64" if c == "objects" else object)
            for c in EDGE_COLUMNS})
    # Direct pairs first, so that dropping duplicates keeps their measured similarity.
    pairs = pd.concat([pairs, _cluster_mates(pairs, settings)], ignore_index=True)
    pairs = pairs.drop_duplicates(["post_a", "post_b"])
    pairs = pairs.assign(similarity=pairs["similarity"].fillna(settings.neardup_threshold))
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
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c.endswith("_ts") else "int64"
                                          if c in ("posts", "accounts", "variants")
                                          else object) for c in CLUSTER_COLUMNS})
    both = _pair_sides(pairs)
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


def near_pairs(posts: Table, engine: Engine, settings: Settings | None = None,
               work: Path | None = None, timings: dict[str, float] | None = None
               ) -> pd.DataFrame:
    """Near-duplicate post pairs (PAIR_COLUMNS plus `cluster`). Intermediate Parquet tables go
    to `work` (kept) or to a temporary folder next to the posts (removed). `timings`, when
    given, receives the seconds of each stage."""
    settings = settings or Settings()
    clock = _Clock(timings)
    tmp: str | None = None
    if work is None:
        parent = posts.path.parent if posts.path is not None else None
        tmp = tempfile.mkdtemp(prefix="neardup-", dir=parent)
        work = Path(tmp)
    try:
        sig_path, bucket_path = work / "minhash.parquet", work / "lsh_buckets.parquet"
        write_signatures(posts, sig_path, settings)
        clock.lap("signatures")
        write_buckets(sig_path, bucket_path, settings)
        clock.lap("buckets")
        row_pairs = engine.map_reduce(Table(path=bucket_path), "bucket",
                                      partial(bucket_pairs, settings=settings), combine_pairs,
                                      _empty_row_pairs())
        clock.lap("map_reduce")
        pairs = _with_ids(row_pairs, sig_path)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    pairs = _label_clusters(pairs) if len(pairs) else pairs.assign(
        cluster=pd.Series(dtype=object))
    clock.lap("clusters")
    return pairs


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.t = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = round(now - self.t, 3)
        self.t = now


def neardup(posts: Table, engine: Engine, settings: Settings | None = None,
            work: Path | None = None) -> NearDuplicates:
    """Near-duplicate pairs, account edges and text clusters (see `near_pairs`)."""
    settings = settings or Settings()
    pairs = near_pairs(posts, engine, settings, work)
    return NearDuplicates(pairs, _edges(pairs, settings), _clusters(pairs))


def neardup_edges(posts: Table, engine: Engine, settings: Settings | None = None,
                  work: Path | None = None, timings: dict[str, float] | None = None
                  ) -> pd.DataFrame:
    """Account pairs that posted near-identical texts (EDGE_COLUMNS, sorted by a, b)."""
    settings = settings or Settings()
    pairs = near_pairs(posts, engine, settings, work, timings)
    t = time.perf_counter()
    edges = _edges(pairs, settings)
    if timings is not None:
        timings["edges"] = round(time.perf_counter() - t, 3)
    return edges


def neardup_clusters(posts: Table, engine: Engine, settings: Settings | None = None,
                     work: Path | None = None) -> pd.DataFrame:
    """Groups of near-identical posts (CLUSTER_COLUMNS): a representative post id, how many
    posts, accounts and distinct variants, the span, up to 5 post ids."""
    return _clusters(near_pairs(posts, engine, settings, work))
