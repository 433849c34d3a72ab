"""Co-sharing signals: accounts that share the same object (a link, a domain, an image, a
hashtag, a retweeted or answered post, a mentioned account) within seconds of each other, again
and again (CooRnet / CooRTweet's coordinated link sharing, generalised to every object type).

- `estimate_window` picks the coordination window from the data (CooRnet's rule);
- `cosharing_edges` is one map/reduce on an engine (`pairs.py`): the map self-joins all
  shares of an object (a sort-based band join in DuckDB), the reduce sums per account pair;
- `all_cosharing_signals` runs it for co_link, co_hashtag, co_retweet, co_reply, co_mention.

Synchronised bursts (many accounts on one object within a minute) are in `bursts.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from amparo.campaigns.engines import Engine, Table
from amparo.campaigns.model import Settings
from amparo.campaigns.pairs import (
    PARTIAL_META,
    connect,
    empty_edges,
    pair_map,
    pair_reduce,
    prepare,
    types_sql,
)

# signal -> the object types it pairs accounts on
SIGNAL_TYPES: Mapping[str, tuple[str, ...]] = {
    "co_link": ("url", "object", "image"),
    # Domains on their own: different articles of one news site are weaker evidence, and one
    # post's link and its domain must not count as two things shared together.
    "co_domain": ("domain",),
    "co_hashtag": ("hashtag",),
    "co_retweet": ("retweet",),
    "co_reply": ("reply",),
    "co_mention": ("mention",),
}
WINDOW_RANK_SHARE = 0.5  # CooRnet's p: the share of an object's shares that marks its spread
WINDOW_QUANTILE = 0.1  # CooRnet's q: the quantile over objects taken as the window


class HasShares(Protocol):
    """What `all_cosharing_signals` needs from `io.Inputs`."""

    @property
    def shares(self) -> Table: ...


def present_types(shares: Table) -> set[str]:
    """The object types that occur in the table."""
    con = connect()
    try:
        rows = shares.relation(con).aggregate("object_type", "object_type").fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in rows}


def estimate_window(shares: Table, settings: Settings,
                    object_types: tuple[str, ...] | None = None) -> float:
    """The coordination window in seconds, estimated from the data as CooRnet does.

    Rule: take every object (an `(object_type, object_id)`) of `object_types` — by default
    co_link's types (url, domain, object, image) when the table has any, else every type —
    shared by at least 2 distinct accounts and by at most `settings.max_object_accounts`
    (viral objects spread by other means). Sort its `n` shares by time; its *spread delay* is
    the time from its first share to its share of rank `floor(n * 0.5) + 1` (the first share
    after half of them: CooRnet's p = 0.5). The window is the 10th percentile (q = 0.1, the
    lower discrete quantile: a delay that occurs in the data) of the non-zero spread delays,
    clipped to `[settings.min_window_s, settings.max_window_s]`; with no such object it is
    `settings.max_window_s`. `settings.window_s`, when set, wins over the estimate.

    One DuckDB query over the table (streamed from Parquet, memory bounded by DuckDB's limit).
    Deterministic: it depends only on the multiset of rows.
    """
    if settings.window_s is not None:
        return float(settings.window_s)
    if object_types is None:
        links = tuple(t for t in SIGNAL_TYPES["co_link"] if t in present_types(shares))
        where = types_sql(links) if links else "true"
    else:
        where = types_sql(object_types)
    rank = f"cast(floor(n * {WINDOW_RANK_SHARE}) as bigint) + 1"
    con = connect()
    try:
        con.register("shares", shares.relation(con))
        row = con.execute(f"""
            with per_object as (
                select count(*) as n, count(distinct account_id) as accounts,
                       list_sort(list(timestamp)) as ts
                from shares where {where}
                group by object_type, object_id)
            select quantile_disc(ts[{rank}] - ts[1], {WINDOW_QUANTILE})
            from per_object
            where accounts between 2 and {int(settings.max_object_accounts)}
              and ts[{rank}] > ts[1]
        """).fetchone()
    finally:
        con.close()
    if row is None or row[0] is None:
        return float(settings.max_window_s)
    return float(min(max(float(row[0]), settings.min_window_s), settings.max_window_s))


def cosharing_edges(shares: Table, engine: Engine, settings: Settings, window: float,
                    object_types: tuple[str, ...], signal: str) -> pd.DataFrame:
    """Edges (EDGE_COLUMNS) between accounts that shared at least `settings.min_repeat`
    distinct objects of `object_types` within `window` seconds of each other.

    Objects shared by more than `settings.max_object_accounts` distinct accounts are skipped
    (viral content is not evidence of coordination, and pairing its thousands of sharers would
    swamp every real group); their number is in `edges.attrs["skipped_viral_objects"]`, the
    window in `edges.attrs["window_s"]`. See `pairs.py` for the join and its aggregates.
    """
    with prepare(shares, object_types, settings.max_object_accounts,
                 settings.min_repeat) as prepared:
        if prepared.rows:
            edges = engine.map_reduce(
                prepared.shares, "o", pair_map(window),
                pair_reduce(signal, settings.min_repeat, prepared, window), PARTIAL_META)
        else:
            edges = empty_edges()
    edges.attrs["skipped_viral_objects"] = prepared.viral
    edges.attrs["window_s"] = float(window)
    return edges


def all_cosharing_signals(inputs: HasShares, engine: Engine,
                          settings: Settings) -> dict[str, pd.DataFrame]:
    """Every co-sharing signal's edges, by signal name (SIGNAL_TYPES); a signal whose object
    types are absent gets an empty frame with EDGE_COLUMNS.

    The window is `settings.window_s` or else estimated once (`estimate_window`) and used for
    every signal."""
    present = present_types(inputs.shares)
    window = estimate_window(inputs.shares, settings)
    out: dict[str, pd.DataFrame] = {}
    for signal, types in SIGNAL_TYPES.items():
        if present.isdisjoint(types):
            edges = empty_edges()
            edges.attrs.update(skipped_viral_objects=0, window_s=window)
        else:
            edges = cosharing_edges(inputs.shares, engine, settings, window, types, signal)
        out[signal] = edges
    return out
