"""Synchronised bursts: minutes in which far more accounts share one object than that object's
usual rate. They describe campaigns (when a link or hashtag was pushed, by how many), they do
not pair accounts (that is `cosharing.py`)."""

from __future__ import annotations

import pandas as pd

from amparo.campaigns.engines import Table
from amparo.campaigns.model import Settings
from amparo.campaigns.pairs import connect

BURST_COLUMNS = ("object_type", "object_id", "start", "end", "accounts")


def synchronised_bursts(shares: Table, settings: Settings, bin_s: float = 60.0,
                        factor: float = 5.0, min_span_s: float = 3600.0) -> pd.DataFrame:
    """Per object, the runs of time bins where the number of distinct accounts is far above
    the object's baseline.

    Rule: cut time into bins of `bin_s` seconds (aligned on multiples of `bin_s`). For each
    object (`object_type`, `object_id`), count the distinct accounts in each bin. Its
    baseline is the mean number of accounts per bin over its active span (first to last
    share), the span counted as at least `min_span_s`, so that an object pushed once by many
    accounts and never again stands out against an hour of silence. A bin is a burst bin when
    it has at least `settings.min_accounts` accounts and at least `factor` × the baseline.
    Consecutive burst bins of an object merge into one burst: `start` is the first share in
    it, `end` the last, `accounts` the distinct accounts across it.

    One DuckDB query over the table (streamed); rows sorted by (start, object_type,
    object_id), columns BURST_COLUMNS.
    """
    b = float(bin_s)
    con = connect()
    try:
        con.register("shares", shares.relation(con))
        out = con.execute(f"""
            with s as (
                select object_type, object_id, account_id, timestamp,
                       cast(floor(timestamp / {b}) as bigint) as bin
                from shares),
            bins as (
                select object_type, object_id, bin, count(distinct account_id) as accounts
                from s group by object_type, object_id, bin),
            objects as (
                select object_type, object_id,
                       sum(accounts) / greatest(max(bin) - min(bin) + 1,
                                                {float(min_span_s)} / {b}) as baseline
                from bins group by object_type, object_id
                having count(*) > 0),
            hot as (
                select bins.object_type, bins.object_id, bins.bin,
                       bins.bin - row_number() over (
                           partition by bins.object_type, bins.object_id
                           order by bins.bin) as run
                from bins join objects using (object_type, object_id)
                where bins.accounts >= {int(settings.min_accounts)}
                  and bins.accounts >= {float(factor)} * objects.baseline),
            runs as (
                select object_type, object_id, run, min(bin) as first_bin,
                       max(bin) as last_bin
                from hot group by object_type, object_id, run)
            select r.object_type, r.object_id, min(s.timestamp) as start,
                   max(s.timestamp) as "end", count(distinct s.account_id) as accounts
            from runs r join s on s.object_type = r.object_type
                 and s.object_id = r.object_id and s.bin between r.first_bin and r.last_bin
            group by r.object_type, r.object_id, r.run
            order by start, r.object_type, r.object_id
        """).df()
    finally:
        con.close()
    return out[list(BURST_COLUMNS)].reset_index(drop=True)
