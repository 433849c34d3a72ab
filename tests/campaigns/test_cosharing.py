"""Co-sharing signals on hand-built tables with known answers, the window estimate, bursts, and
the local and Dask engines giving identical edges on real data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

from amparo.campaigns.bursts import BURST_COLUMNS, synchronised_bursts
from amparo.campaigns.cosharing import (
    SIGNAL_TYPES,
    all_cosharing_signals,
    cosharing_edges,
    estimate_window,
)
from amparo.campaigns.engines import DaskEngine, Engine, LocalEngine, Table
from amparo.campaigns.io import Inputs, load_file
from amparo.campaigns.model import EDGE_COLUMNS, Settings

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "coordination"
LINKS = SIGNAL_TYPES["co_link"]


def table(rows: Sequence[tuple[str, float, str, str]]) -> Table:
    """(account, timestamp, object_type, object_id) rows as a shares table."""
    return Table(frame=pd.DataFrame({
        "post_id": [f"p{i}" for i in range(len(rows))],
        "account_id": [r[0] for r in rows],
        "timestamp": [float(r[1]) for r in rows],
        "object_type": [r[2] for r in rows],
        "object_id": [r[3] for r in rows],
    }))


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    engine = DaskEngine(partitions=5)
    yield engine
    engine.close()


HAND = [
    # A and B: u1 30 s apart, u2 50 s apart -> 2 objects within 60 s: an edge.
    ("A", 0, "url", "u1"), ("B", 30, "url", "u1"),
    ("A", 100, "url", "u2"), ("B", 150, "url", "u2"),
    # C: u1 far from everyone (500 s), u2 within 60 s of A and B -> 1 object each: no edge.
    ("C", 500, "url", "u1"), ("C", 120, "url", "u2"),
    # D alone, twice on the same objects: never paired with itself.
    ("D", 0, "url", "u3"), ("D", 5, "url", "u3"), ("D", 1000, "url", "u4"),
    ("D", 1001, "url", "u4"),
    # E and F: two hashtags together, outside co_link's types.
    ("E", 0, "hashtag", "#h1"), ("F", 1, "hashtag", "#h1"),
    ("E", 50, "hashtag", "#h2"), ("F", 52, "hashtag", "#h2"),
    # G and H: two urls 10 s apart -> an edge; their posts' domain is the separate co_domain
    # signal and never adds to co_link (one post, one object).
    ("G", 0, "url", "x"), ("H", 10, "url", "x"), ("G", 200, "url", "y"),
    ("H", 210, "url", "y"), ("G", 0, "domain", "x.com"), ("H", 10, "domain", "x.com"),
]


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_pairs_within_window_and_repeated(partitions: int) -> None:
    edges = cosharing_edges(table(HAND), LocalEngine(partitions), Settings(), 60.0, LINKS,
                            "co_link")
    assert list(edges.columns) == list(EDGE_COLUMNS)
    assert edges[["a", "b", "objects"]].values.tolist() == [["A", "B", 2], ["G", "H", 2]]
    ab = edges.iloc[0]
    assert (ab.signal, ab.weight, ab.first_ts, ab.last_ts, ab.examples) == (
        "co_link", 2.0, 0.0, 150.0, "u1|u2")
    assert edges.iloc[1].examples == "x|y"
    assert edges.attrs == {"skipped_viral_objects": 0, "window_s": 60.0}


def test_single_objects_count_with_min_repeat_one() -> None:
    edges = cosharing_edges(table(HAND), LocalEngine(2), Settings(min_repeat=1), 60.0, LINKS,
                            "co_link")
    got = {(a, b): n for a, b, n in edges[["a", "b", "objects"]].values.tolist()}
    assert got == {("A", "B"): 2, ("A", "C"): 1, ("B", "C"): 1, ("G", "H"): 2}


def test_window_bounds_are_inclusive_and_narrow_windows_drop_pairs() -> None:
    assert len(cosharing_edges(table(HAND), LocalEngine(2), Settings(), 50.0, LINKS,
                               "co_link")) == 2  # |dt| = 50 s still counts
    narrow = cosharing_edges(table(HAND), LocalEngine(2), Settings(), 49.0, LINKS, "co_link")
    assert narrow[["a", "b"]].values.tolist() == [["G", "H"]]


def test_one_post_with_two_links_is_one_occasion() -> None:
    rows = [
        # I and J: one post each carrying links m and n, 5 s apart: one occasion, no edge.
        ("I", 0, "url", "m"), ("I", 0, "url", "n"), ("J", 5, "url", "m"), ("J", 5, "url", "n"),
        # K posts both in one post, L in two posts: K acted once, no edge.
        ("K", 1000, "url", "m2"), ("K", 1000, "url", "n2"),
        ("L", 1010, "url", "m2"), ("L", 1030, "url", "n2"),
        # M and N post a two-link post together twice, hours apart: two occasions, an edge
        # counted as 2 (not 4 objects).
        ("M", 5000, "url", "p"), ("M", 5000, "image", "q"), ("N", 5020, "url", "p"),
        ("N", 5020, "image", "q"), ("M", 9000, "url", "r"), ("M", 9000, "url", "s"),
        ("N", 9010, "url", "r"), ("N", 9010, "url", "s"),
    ]
    edges = cosharing_edges(table(rows), LocalEngine(3), Settings(), 60.0, LINKS, "co_link")
    assert edges[["a", "b", "objects", "weight"]].values.tolist() == [["M", "N", 2, 2.0]]
    assert edges.iloc[0].examples == "p|q|r|s"


@pytest.mark.parametrize("partitions", [1, 4])
def test_occasions_count_every_time_a_pair_met_on_its_objects(partitions: int) -> None:
    """The reduce finds a kept pair's shares by (account, object): a link the pair shared
    together twice, hours apart, is two occasions; the busy account's other shares of the same
    links, far in time, and its shares of other links count for nothing."""
    rows = [
        ("P", 0, "url", "u"), ("Q", 10, "url", "u"),
        ("P", 20_000, "url", "u"), ("Q", 20_010, "url", "u"),
        ("P", 40_000, "url", "v"), ("Q", 40_005, "url", "v"),
        # Busy: on u and v, but never within 60 s of P or Q, and on w with P alone.
        *[("Busy", 60_000 + 100 * i, "url", o) for i, o in enumerate("uvw" * 20)],
        ("P", 60_010, "url", "w"),
    ]
    edges = cosharing_edges(table(rows), LocalEngine(partitions), Settings(), 60.0, LINKS,
                            "co_link")
    assert edges[["a", "b", "objects", "weight", "first_ts", "last_ts", "examples"]
                 ].values.tolist() == [["P", "Q", 3, 3.0, 0.0, 40_005.0, "u|v"]]


def test_hashtags_are_their_own_signal() -> None:
    edges = cosharing_edges(table(HAND), LocalEngine(2), Settings(), 60.0, ("hashtag",),
                            "co_hashtag")
    assert edges[["a", "b", "signal", "objects"]].values.tolist() == [
        ["E", "F", "co_hashtag", 2]]


def test_viral_objects_are_skipped_and_counted() -> None:
    rows = [(acc, i, "url", "viral") for i, acc in enumerate("PQRS")]
    rows += [("P", 100, "url", "w"), ("Q", 101, "url", "w")]
    strict = cosharing_edges(table(rows), LocalEngine(2), Settings(max_object_accounts=3),
                             60.0, LINKS, "co_link")
    assert strict.empty and strict.attrs["skipped_viral_objects"] == 1
    loose = cosharing_edges(table(rows), LocalEngine(2), Settings(max_object_accounts=4),
                            60.0, LINKS, "co_link")
    assert loose[["a", "b", "objects"]].values.tolist() == [["P", "Q", 2]]
    assert loose.attrs["skipped_viral_objects"] == 0


def test_all_signals_has_every_signal_and_empty_frames_for_absent_types() -> None:
    inputs = Inputs(shares=table(HAND), posts=Table(frame=pd.DataFrame()), rows=len(HAND))
    out = all_cosharing_signals(inputs, LocalEngine(2), Settings(window_s=60.0))
    assert set(out) == set(SIGNAL_TYPES)
    assert len(out["co_link"]) == 2 and len(out["co_hashtag"]) == 1
    for name in ("co_retweet", "co_reply", "co_mention"):
        assert out[name].empty and list(out[name].columns) == list(EDGE_COLUMNS)
        assert out[name].attrs["window_s"] == 60.0


def delays_table(delays: list[float],
                 extra: Sequence[tuple[str, float, str, str]] | None = None) -> Table:
    rows = [r for i, d in enumerate(delays)
            for r in ((f"a{i}", 1000.0 * i, "url", f"o{i}"),
                      (f"b{i}", 1000.0 * i + d, "url", f"o{i}"))]
    return table([*rows, *(extra or [])])


def test_window_is_the_low_quantile_of_spread_delays() -> None:
    delays = [100.0 * (i + 1) for i in range(10)]  # 100 .. 1000 s
    # Distractors: a zero delay, a single account twice, a viral object, a hashtag.
    extra = [("z1", 5, "url", "zero"), ("z2", 5, "url", "zero"),
             ("s", 0, "url", "self"), ("s", 3, "url", "self"),
             *[(f"v{i}", 7.0 * i, "url", "viral") for i in range(5)],
             ("h1", 0, "hashtag", "#h"), ("h2", 1, "hashtag", "#h")]
    settings = Settings(max_object_accounts=4)
    assert estimate_window(delays_table(delays, extra), settings) == 100.0
    # Three shares: the spread delay is to the 2nd share (first after half of them).
    three = table([("a", 0, "url", "t"), ("b", 40, "url", "t"), ("c", 900, "url", "t")])
    assert estimate_window(three, settings) == 40.0
    # Clipped to [min_window_s, max_window_s]; the fixed window wins.
    assert estimate_window(delays_table([1.0, 2.0, 3.0]), settings) == settings.min_window_s
    assert estimate_window(delays_table([9000.0]), settings) == settings.max_window_s
    assert estimate_window(table([("a", 0, "url", "u")]), settings) == settings.max_window_s
    assert estimate_window(delays_table(delays), Settings(window_s=42.0)) == 42.0
    # Without link types, every type counts.
    assert estimate_window(table([("h1", 0, "hashtag", "#h"), ("h2", 77, "hashtag", "#h")]),
                           settings) == 77.0


def test_bursts_stand_out_against_the_objects_baseline() -> None:
    # 6 accounts in 6 s
    rows: list[tuple[str, float, str, str]] = [
        (f"acc{i}", 1000 + i, "url", "pushed") for i in range(6)]
    rows += [(f"s{i % 3}", 60.0 * i, "url", "steady") for i in range(120)]  # 1 a minute, 2 h
    rows += [("x", 0, "url", "pair"), ("y", 1, "url", "pair")]  # too few accounts
    bursts = synchronised_bursts(table(rows), Settings(min_accounts=3))
    assert list(bursts.columns) == list(BURST_COLUMNS)
    assert bursts.values.tolist() == [["url", "pushed", 1000.0, 1005.0, 6]]


def test_bursts_merge_consecutive_bins() -> None:
    rows = [(f"acc{i}", 3600 + 20 * i, "url", "run") for i in range(8)]  # 160 s, 3 bins
    bursts = synchronised_bursts(table(rows), Settings(min_accounts=2))
    assert bursts[["start", "end", "accounts"]].values.tolist() == [[3600.0, 3740.0, 8]]


def german(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    csv = DATA / "german_elections.csv"
    if not csv.is_file():
        pytest.skip(f"data set missing: {csv} (../shared/data/coordination)")
    return load_file(csv, tmp_path_factory.mktemp("german"))


@pytest.mark.slow
def test_local_and_dask_give_identical_edges(dask_engine: DaskEngine,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    inputs = german(tmp_path_factory)
    settings = Settings()
    engines: list[Engine] = [LocalEngine(4), dask_engine]
    results = [all_cosharing_signals(inputs, engine, settings) for engine in engines]
    local, dask = results
    assert len(local["co_link"]) > 1000 and len(local["co_hashtag"]) > 100
    for signal in SIGNAL_TYPES:
        pd.testing.assert_frame_equal(dask[signal], local[signal])
        assert dask[signal].attrs == local[signal].attrs
    other = cosharing_edges(inputs.shares, LocalEngine(13), settings,
                            local["co_link"].attrs["window_s"], LINKS, "co_link")
    pd.testing.assert_frame_equal(other, local["co_link"])
