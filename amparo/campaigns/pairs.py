"""The account-pair join behind every co-sharing signal, in three steps:

1. `prepare` (one DuckDB pass, streamed): keep the objects of the wanted types shared by 2 to
   `max_object_accounts` distinct accounts, and the accounts that shared at least `min_repeat`
   of them (no other account can reach `min_repeat` with anybody); replace account and object
   ids by dense integer codes in sort order (so `a < b` on codes is `a < b` on ids). The
   engines then shuffle and join narrow integer rows, not strings.
2. `pair_map`: for all shares of some objects, one row per account pair and object they
   shared within the window.
3. `pair_reduce`: count each pair's objects across partitions, keep pairs with `min_repeat`
   objects and `min_repeat` occasions (one post with two links is one occasion, counted from
   the kept pairs' shares of those objects), decode the codes back to ids.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from amparo.campaigns.duck import quiet_connect
from amparo.campaigns.engines import MapFn, ReduceFn, Table
from amparo.campaigns.model import EDGE_COLUMNS

MAX_EXAMPLES = 5
# Partials are the biggest intermediate (one row per account pair, object co-shared within the
# window, and partition): 32-bit codes keep them at 28 bytes a row. Codes are dense ranks, so
# 2^31 accounts or objects is the limit.
PARTIAL_META = pd.DataFrame({
    "a": pd.Series(dtype="int32"), "b": pd.Series(dtype="int32"),
    "o": pd.Series(dtype="int32"), "first_ts": pd.Series(dtype="float64"),
    "last_ts": pd.Series(dtype="float64"),
})


def connect(memory_limit: str = "1GB", **config: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for these signals: bounded memory, no progress bar on stdout."""
    return quiet_connect(config={"memory_limit": memory_limit, **config})


def types_sql(object_types: tuple[str, ...]) -> str:
    if not object_types:
        return "false"
    quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in object_types)
    return f"object_type in ({quoted})"


@dataclass(frozen=True)
class Prepared:
    shares: Table  # o (object code), acc (account code), ts
    accounts: Table  # acc, account_id
    objects: Table  # o, object_id
    rows: int  # rows of `shares`
    viral: int  # objects skipped for having more than max_object_accounts accounts


@contextmanager
def prepare(shares: Table, object_types: tuple[str, ...], max_accounts: int,
            min_repeat: int) -> Iterator[Prepared]:
    """The coded, filtered shares; Parquet files in a temporary folder next to a Parquet input
    (so that a Dask cluster sharing that folder reads them), frames for a frame input.

    The input is scanned once; only its string grouping (by object, then by account) is
    costly. Exact distinct-account counts are taken only for objects with more than
    `max_accounts` shares (the candidates for "viral")."""
    folder = (tempfile.TemporaryDirectory(dir=shares.path.parent, prefix=".cosharing-")
              if shares.path is not None else None)
    spill = folder.name if folder is not None else tempfile.gettempdir()
    con = connect(temp_directory=spill)
    m = int(max_accounts)
    try:
        con.register("src", shares.relation(con))
        con.execute(f"""
            create temp table objs as
            select object_type, object_id, count(*) as n,
                   cast(row_number() over (order by object_id, object_type) - 1 as integer)
                       as o
            from src where {types_sql(object_types)} group by object_type, object_id
            having min(account_id) <> max(account_id)""")
        con.execute("""
            create temp table k as select o.o, s.account_id, s.timestamp as ts
            from src s join objs o using (object_type, object_id)""")
        con.execute(f"""
            create temp table viral as select o from k
            where o in (select o from objs where n > {m})
            group by o having count(distinct account_id) > {m}""")
        con.execute(f"""
            create temp table accs as
            select account_id,
                   cast(row_number() over (order by account_id) - 1 as integer) as acc
            from k anti join viral using (o)
            group by account_id having count(distinct o) >= {int(min_repeat)}""")
        viral = _count(con, "select count(*) from viral")
        coded = "select k.o, a.acc, k.ts from k anti join viral using (o) join accs a using " \
                "(account_id)"
        kept = "select o, object_id from objs anti join viral using (o)"
        accounts = "select acc, account_id from accs"
        if folder is None:
            yield Prepared(Table(frame=con.execute(coded).df()),
                           Table(frame=con.execute(accounts).df()),
                           Table(frame=con.execute(kept).df()),
                           _count(con, f"select count(*) from ({coded})"), viral)
            return
        base = Path(folder.name)
        for name, query in (("shares", coded), ("accounts", accounts), ("objects", kept)):
            con.execute(f"copy ({query}) to '{base / name}.parquet' (format parquet)")
        rows = _count(con, f"select count(*) from '{base / 'shares.parquet'}'")
        con.close()
        yield Prepared(Table(path=base / "shares.parquet"),
                       Table(path=base / "accounts.parquet"),
                       Table(path=base / "objects.parquet"), rows, viral)
    finally:
        con.close()
        if folder is not None:
            folder.cleanup()


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def pair_map(window: float) -> MapFn:
    """The map: given ALL (coded) shares of some objects, one row per account pair `(a, b)`,
    `a < b`, and object both shared within `window` seconds of each other, with the first and
    last of those shares. Partitions split by object, so each row comes from one partition.

    Band join, sort-based: each share falls in the time bucket `floor(ts / window)`; two shares
    within `window` seconds are in the same or neighbouring buckets, so the self-join is an
    equi-join on (object, bucket) against each share's three neighbouring buckets, then the
    exact `|dt| <= window` test. Its cost follows the pairs close in time, not the square of
    an object's shares. The same account twice is never a pair (`a < b`).

    The rows name their object (rather than summing per pair) so that the reduce can find the
    shares behind a kept pair by (account, object) to count its occasions; most pairs share
    one object, so this is hardly more rows than per-pair sums.
    """
    w = float(window)

    def run(frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame):
            return PARTIAL_META.iloc[0:0].copy()
        con = connect()
        try:
            con.register("s", frame[["o", "acc", "ts"]])
            out = con.execute(f"""
                with d as (
                    select distinct o, acc, ts, cast(floor(ts / {w}) as bigint) as bk from s),
                shifted as (select o, acc, ts, bk + k as jb
                            from d, (values (-1), (0), (1)) as v(k))
                select x.acc as a, y.acc as b, x.o,
                       min(least(x.ts, y.ts)) as first_ts, max(greatest(x.ts, y.ts)) as last_ts
                from d as x join shifted as y on x.o = y.o and x.bk = y.jb
                where x.acc < y.acc and abs(x.ts - y.ts) <= {w}
                group by x.acc, y.acc, x.o
            """).df()
        finally:
            con.close()
        return out.astype(PARTIAL_META.dtypes.to_dict())

    return run


def pair_reduce(signal: str, min_repeat: int, prepared: Prepared, window: float) -> ReduceFn:
    """The reduce: count the objects of each pair over partitions, keep pairs that co-shared
    at least `min_repeat` distinct objects (partitions split by object, so an (a, b, object)
    row comes from one partition only and the count is exact), then count their *occasions*
    and keep pairs with at least `min_repeat` of those.

    Occasions: the fewer of the two accounts' distinct share times among their co-shares
    within the window. One post carrying two links (or a link and its image, or two hashtags)
    is one occasion, so accounts that each posted the same pair of links once are not
    "coordinated twice" — the error that made a post-level shuffle of the real background
    (synthetic.py) look coordinated. Counted exactly from the kept pairs' shares of their
    co-shared objects, found by (account, object): joining each kept pair to all of an
    account's shares instead cost 78M intermediate rows on 1M shares (active accounts pair
    with many others) and doubled the signal's time.

    `objects` and `weight` are the occasions; `examples` the 5 smallest object ids,
    "|"-joined. Sorted by (a, b): any engine and any partitioning give the same frame."""
    w = float(window)

    def run(partials: pd.DataFrame) -> pd.DataFrame:
        con = connect()
        try:
            con.register("p", partials)
            con.register("accs", prepared.accounts.relation(con))
            con.register("objs", prepared.objects.relation(con))
            con.register("shares", prepared.shares.relation(con))
            out = con.execute(f"""
                with keep as (
                    select a, b from p group by a, b having count(*) >= {int(min_repeat)}),
                kept as materialized (select * from p semi join keep using (a, b)),
                together as (
                    select k.a, k.b, x.ts as ta, y.ts as tb
                    from kept k join shares x on x.acc = k.a and x.o = k.o
                         join shares y on y.acc = k.b and y.o = k.o
                    where abs(x.ts - y.ts) <= {w}),
                occasions as (
                    select a, b,
                           least(count(distinct ta), count(distinct tb)) as occasions
                    from together group by a, b
                    having least(count(distinct ta), count(distinct tb)) >= {int(min_repeat)}),
                pairs as (
                    select a, b, any_value(o.occasions) as objects,
                           min(first_ts) as first_ts, max(last_ts) as last_ts,
                           list_sort(list(k.o))[1:{MAX_EXAMPLES}] as ex
                    from kept k join occasions o using (a, b) group by a, b),
                named as (
                    select a, b, string_agg(distinct object_id, '|' order by object_id)
                               as examples
                    from (select a, b, unnest(ex) as o from pairs) join objs using (o)
                    group by a, b)
                select x.account_id as a, y.account_id as b, '{signal}' as signal,
                       cast(p.objects as double) as weight, cast(p.objects as bigint) as objects,
                       p.first_ts, p.last_ts, n.examples
                from pairs p join named n using (a, b)
                     join accs x on x.acc = p.a join accs y on y.acc = p.b
                order by p.a, p.b
            """).df()
        finally:
            con.close()
        return out[list(EDGE_COLUMNS)].reset_index(drop=True)

    return run


def empty_edges(signal: str = "") -> pd.DataFrame:
    """A frame with EDGE_COLUMNS and their dtypes, and no rows."""
    return pd.DataFrame({
        "a": pd.Series(dtype=str), "b": pd.Series(dtype=str),
        "signal": pd.Series(dtype=str), "weight": pd.Series(dtype="float64"),
        "objects": pd.Series(dtype="int64"), "first_ts": pd.Series(dtype="float64"),
        "last_ts": pd.Series(dtype="float64"), "examples": pd.Series(dtype=str)})
