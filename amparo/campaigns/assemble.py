"""From signal edges to campaigns: combine the signals on each pair of accounts, keep strong
pairs, find tightly knit groups, and describe each group in words.

Per signal, a pair's strength grows with how many distinct things the two accounts did
together: s = 1 - exp(-objects / k), with k from SIGNAL_SCALE: two links co-shared within the
window give 0.63, three 0.78; one gives 0.39, below MIN_PAIR_STRENGTH, so sharing one popular
link at the same time as strangers never makes a pair. (Links and their domains are separate
signals, and io.py does not count a URL twice when a file has both a url column and the text,
so one post is one object: on the synthetic standard scenario, counting a post's link and
domain as two objects had flagged 403 of 600 accounts that merely shared a viral link.)
Signals combine as independent evidence: 1 - Π(1 - s_i). Pairs at or above
settings-independent MIN_PAIR_STRENGTH are kept; groups are Louvain communities (fixed
seed) of each connected component of the kept graph, so equal inputs give equal campaigns.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from datetime import UTC, datetime

import networkx as nx
import pandas as pd

from amparo.campaigns.model import EDGE_COLUMNS, Campaign, Settings, SignalStrength

SIGNAL_SCALE: dict[str, float] = {
    "co_link": 2.0,
    "co_domain": 4.0,  # the same site, not the same article: weaker evidence each
    "co_hashtag": 3.0,  # hashtags are shared widely: weaker evidence each
    "co_retweet": 2.0,
    "co_reply": 2.0,
    "co_mention": 4.0,
    "near_duplicate": 1.5,
    "shared_traits": 6.0,  # traits alone never make a pair strong
}
SIGNAL_WORDS: dict[str, str] = {
    "co_link": "shared the same links, domains or posts within {window} of each other",
    "co_domain": "linked to the same websites within {window} of each other",
    "co_hashtag": "pushed the same hashtags within {window} of each other",
    "co_retweet": "reposted the same posts within {window} of each other",
    "co_reply": "replied to the same posts within {window} of each other",
    "co_mention": "mentioned the same accounts within {window} of each other",
    "near_duplicate": "posted near-identical texts",
    "shared_traits": "share account traits (creation dates, numbered handles, names)",
}
MIN_PAIR_STRENGTH = 0.6


def _strength(signal: str, objects: pd.Series) -> pd.Series:
    k = SIGNAL_SCALE.get(signal, 2.0)
    return 1.0 - (-objects.astype(float) / k).map(math.exp)


def combine(edges: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per account pair: combined strength and the per-signal edges behind it."""
    frames = []
    for signal, frame in edges.items():
        if len(frame):
            f = frame.loc[:, list(EDGE_COLUMNS)].copy()
            f["signal"] = signal
            f["strength"] = _strength(signal, f["objects"])
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=[*EDGE_COLUMNS, "strength"])
    return pd.concat(frames, ignore_index=True)


def _window_words(seconds: float | None) -> str:
    if seconds is None:
        return "a short time"
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def assemble(
    edges: Mapping[str, pd.DataFrame],
    settings: Settings,
    *,
    window: float | None = None,
    examples: Mapping[str, str] | None = None,
) -> list[Campaign]:
    """Campaigns from per-signal edge tables. `examples` maps an account pair's example ids to
    readable text where the caller has it (e.g. the near-duplicate text itself)."""
    rows = combine(edges)
    if rows.empty:
        return []
    pair = (rows.assign(miss=1.0 - rows["strength"])
            .groupby(["a", "b"], sort=True)["miss"].prod())
    pair_strength = 1.0 - pair
    kept = pair_strength[pair_strength >= MIN_PAIR_STRENGTH]
    groups = _communities(kept, settings.min_accounts)
    if not groups:
        return []
    community = {account: c for c, group in enumerate(groups) for account in group}
    # Each edge row and kept pair goes to its campaign in one pass (not one scan per group).
    rows = rows.assign(ca=rows["a"].map(community), cb=rows["b"].map(community))
    rows = rows[rows["ca"].notna() & (rows["ca"] == rows["cb"])].astype({"ca": "int64"})
    ends = kept.index.to_frame(index=False)
    ca, cb = ends["a"].map(community), ends["b"].map(community)
    same = (ca.notna() & (ca == cb)).to_numpy()
    internal = pd.Series(kept.to_numpy()[same], index=ca[same].astype("int64").to_numpy())
    by_group = dict(iter(rows.groupby("ca", sort=True)))
    strengths = dict(iter(internal.groupby(level=0, sort=True)))
    campaigns = [_describe(accounts, by_group[c], strengths.get(c, pd.Series(dtype=float)),
                           window, examples or {})
                 for c, accounts in enumerate(groups)]
    campaigns.sort(key=lambda c: (-c.score, c.id))
    return campaigns


def _communities(kept: pd.Series, min_accounts: int) -> list[list[str]]:
    """Groups (sorted accounts) of at least `min_accounts`: Louvain communities
    (fixed seed) of each connected component of the strong-pair graph, components in the
    order of their smallest account, so equal inputs give equal groups. A component that is
    a clique is one group without running Louvain (splitting a clique never raises
    modularity), which keeps assembly fast when the graph has thousands of small groups."""
    graph = nx.Graph()
    for (a, b), s in kept.items():
        graph.add_edge(a, b, weight=float(s))
    out: list[list[str]] = []
    components = sorted((sorted(c) for c in nx.connected_components(graph)
                         if len(c) >= min_accounts), key=lambda c: c[0])
    for nodes in components:
        # Louvain's result depends on node and edge order; a subgraph *view* iterates nodes in
        # set order, which follows string hashes (different in every process: PYTHONHASHSEED).
        # So each component is rebuilt on the accounts' ranks, in sorted order.
        rank = {a: i for i, a in enumerate(nodes)}
        ranked = nx.Graph()
        ranked.add_nodes_from(range(len(nodes)))
        ranked.add_weighted_edges_from(sorted(
            (min(rank[a], rank[b]), max(rank[a], rank[b]), w)
            for a, b, w in graph.edges(nodes, data="weight")))
        n = len(nodes)
        if ranked.number_of_edges() == n * (n - 1) // 2:
            groups = [nodes]
        else:
            groups = [[nodes[i] for i in g] for g in
                      nx.community.louvain_communities(ranked, weight="weight", seed=0)]
        for group in sorted((sorted(g) for g in groups), key=lambda g: g[0]):
            if len(group) >= min_accounts:
                out.append(group)
    return out


def _describe(accounts: list[str], inside: pd.DataFrame, internal: pd.Series,
              window: float | None, examples: Mapping[str, str]) -> Campaign:
    """One campaign: `inside` holds the per-signal edge rows between its accounts, `internal`
    the combined strengths of its kept pairs."""
    n = len(accounts)
    possible = n * (n - 1) / 2
    signals: dict[str, SignalStrength] = {}
    sentences = []
    for signal, group in inside.groupby("signal", sort=True):
        touched = set(group["a"]) | set(group["b"])
        strength = len(group) / possible
        lo, hi = int(group["objects"].min()), int(group["objects"].max())
        detail = (f"{len(group)} of {int(possible)} account pairs "
                  + SIGNAL_WORDS.get(str(signal), str(signal)).format(
                      window=_window_words(window))
                  + (f" ({lo} times)" if lo == hi else f" ({lo}–{hi} times per pair)"))
        signals[str(signal)] = SignalStrength(str(signal), len(group), len(touched), strength,
                                              detail)
        sentences.append(detail)
    density = len(internal) / possible
    mean_strength = float(internal.mean()) if len(internal) else 0.0
    # Strong pairs that knit the whole group together score highest.
    score = mean_strength * min(1.0, 0.5 + density)
    objects = sorted({x for ex in inside["examples"] for x in str(ex).split("|") if x})
    start, end = float(inside["first_ts"].min()), float(inside["last_ts"].max())
    sample = next((examples[o] for o in objects if o in examples), None)
    explanation = (
        f"{n} accounts acted together between {_utc(start)} and {_utc(end)}: "
        + "; ".join(sentences) + "."
        + (f" Example: “{sample[:160]}”." if sample else "")
    )
    digest = hashlib.sha256("\n".join(accounts).encode()).hexdigest()[:16]
    return Campaign(id=digest, accounts=accounts, posts=[], objects=objects[:200],
                    start=start, end=end, signals=signals, score=round(score, 4),
                    explanation=explanation,
                    extra={"pairs": len(internal), "density": round(density, 4)})
