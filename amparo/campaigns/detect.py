"""Campaign detection end to end: signals on an engine, assembly, and the posts behind each
campaign. The same call runs locally or on Dask; only `engine` differs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import networkx as nx
import pandas as pd

from amparo.campaigns.assemble import assemble, combine
from amparo.campaigns.cosharing import all_cosharing_signals, estimate_window
from amparo.campaigns.duck import quiet_connect
from amparo.campaigns.engines import Engine
from amparo.campaigns.io import Inputs
from amparo.campaigns.model import Campaign, Settings
from amparo.campaigns.neardup import neardup_edges
from amparo.campaigns.traits import trait_edges


@dataclass
class Detection:
    campaigns: list[Campaign]
    window: float
    edges: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaigns": [c.to_dict() for c in self.campaigns],
            "window_seconds": round(self.window, 1),
            "signals": {k: len(v) for k, v in self.edges.items()},
        }


def detect_campaigns(inputs: Inputs, engine: Engine, settings: Settings | None = None,
                     accounts: pd.DataFrame | None = None) -> Detection:
    settings = settings or Settings()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    window = settings.window_s or estimate_window(inputs.shares, settings)
    settings = replace(settings, window_s=window)
    timings["window"] = time.perf_counter() - t

    t = time.perf_counter()
    edges = dict(all_cosharing_signals(inputs, engine, settings))
    timings["cosharing"] = time.perf_counter() - t
    t = time.perf_counter()
    stages: dict[str, float] = {}
    edges["near_duplicate"] = neardup_edges(inputs.posts, engine, settings, timings=stages)
    timings["near_duplicate"] = time.perf_counter() - t
    timings.update({f"near_duplicate.{k}": v for k, v in stages.items()})
    if accounts is not None and len(accounts):
        edges["shared_traits"] = trait_edges(accounts, settings)

    t = time.perf_counter()
    campaigns = assemble(edges, settings, window=window,
                         examples=_example_texts(inputs, edges.get("near_duplicate")))
    _attach_posts(inputs, campaigns)
    timings["assemble"] = time.perf_counter() - t
    return Detection(campaigns, window, edges, timings)


def _example_texts(inputs: Inputs, near: pd.DataFrame | None) -> dict[str, str]:
    """Texts of the posts named as near-duplicate examples, to quote in explanations."""
    if near is None or near.empty:
        return {}
    ids = sorted({x for ex in near["examples"] for x in str(ex).split("|") if x})[:5000]
    con = quiet_connect()
    try:
        return dict(_query_posts(con, inputs, ids))
    finally:
        con.close()


def _query_posts(con: duckdb.DuckDBPyConnection, inputs: Inputs,
                 ids: list[str]) -> list[tuple[str, str]]:
    posts = inputs.posts.relation(con)
    con.register("posts_t", posts)
    con.register("wanted", pd.DataFrame({"post_id": ids}))
    return [(str(a), str(b)) for a, b in con.execute(
        "select p.post_id, p.text from posts_t p join wanted w using (post_id) "
        "where p.text is not null").fetchall()]


def _attach_posts(inputs: Inputs, campaigns: list[Campaign]) -> None:
    """Each campaign's posts: what its accounts posted that shares one of its objects, or that
    is itself one of its near-duplicate examples."""
    if not campaigns:
        return
    members = pd.DataFrame([(c.id, a) for c in campaigns for a in c.accounts],
                           columns=["campaign", "account_id"])
    objects = pd.DataFrame([(c.id, o) for c in campaigns for o in c.objects],
                           columns=["campaign", "object_id"])
    con = quiet_connect()
    try:
        con.register("shares_t", inputs.shares.relation(con))
        con.register("posts_t", inputs.posts.relation(con))
        con.register("members", members)
        con.register("objs", objects)
        rows = con.execute("""
            select distinct m.campaign, s.post_id, s.timestamp
            from shares_t s join members m using (account_id)
            join objs o on o.campaign = m.campaign and o.object_id = s.object_id
            union
            select distinct m.campaign, p.post_id, p.timestamp
            from posts_t p join members m using (account_id)
            join objs o on o.campaign = m.campaign and o.object_id = p.post_id
            order by 1, 3, 2""").fetchall()
    finally:
        con.close()
    by_id = {c.id: c for c in campaigns}
    for campaign_id, post_id, _ts in rows:
        by_id[campaign_id].posts.append(str(post_id))


def campaign_graph(detection: Detection) -> nx.Graph:
    """Accounts as nodes (with their campaign), strong pairs as weighted edges, for Gephi."""
    graph = nx.Graph()
    rows = combine(detection.edges)
    owner = {a: c.id for c in detection.campaigns for a in c.accounts}
    for account, campaign_id in sorted(owner.items()):
        graph.add_node(account, campaign=campaign_id)
    if rows.empty:
        return graph
    inside = rows[rows["a"].isin(owner) & rows["b"].isin(owner)]
    for (a, b), group in inside.groupby(["a", "b"], sort=True):
        if owner[a] != owner[b]:
            continue
        miss = float((1.0 - group["strength"]).prod())
        graph.add_edge(a, b, weight=round(1.0 - miss, 4),
                       signals=",".join(sorted(group["signal"])),
                       objects=int(group["objects"].sum()))
    return graph


def timeline(detection: Detection, inputs: Inputs) -> list[dict[str, Any]]:
    """Posts per campaign per time bin (minutes for short campaigns, hours otherwise)."""
    out: list[dict[str, Any]] = []
    if not detection.campaigns:
        return out
    con = quiet_connect()
    try:
        con.register("posts_t", inputs.posts.relation(con))
        for c in detection.campaigns:
            span = c.end - c.start
            step = 60 if span <= 6 * 3600 else 3600
            con.register("ids", pd.DataFrame({"post_id": c.posts}))
            bins = con.execute(
                f"select floor(timestamp / {step}) * {step} as t, count(*) "
                "from posts_t join ids using (post_id) group by 1 order by 1").fetchall()
            out.append({"campaign": c.id, "bin_seconds": step,
                        "bins": [{"t": float(t), "posts": int(n)} for t, n in bins]})
    finally:
        con.close()
    return out
