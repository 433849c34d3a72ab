"""Near-duplicate texts across accounts: normalisation, signatures, edges, engines agree."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.campaigns import neardup as nd
from amparo.campaigns.engines import DaskEngine, LocalEngine, Table
from amparo.campaigns.model import EDGE_COLUMNS, Settings

BASE = ("a deputada fulana de tal recebeu dinheiro de ongs estrangeiras para mentir sobre "
        "a floresta e ninguém investiga nada disso porque a imprensa inteira está comprada "
        "pelo mesmo grupo de sempre")
T0 = 1_700_000_000.0


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    engine = DaskEngine(partitions=5)
    yield engine
    engine.close()


def posts(*rows: tuple[str, str, float, str]) -> Table:
    return Table(frame=pd.DataFrame(rows, columns=["post_id", "account_id", "timestamp",
                                                   "text"]))


def pairs_of(edges: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(edges["a"], edges["b"], strict=True))


@pytest.mark.parametrize(("text", "normalised"), [
    ("Olá @maria! Veja https://x.co/abc #Corrupção é CRIME 😡😡",
     "ola veja corrupcao e crime"),
    ("  muitas   linhas\n\te espaços  ", "muitas linhas e espacos"),
    ("www.site.com.br/x ÉÉ não-aceito_isso!!", "ee nao aceito isso"),
    ("😡🔥", ""),
])
def test_normalise(text: str, normalised: str) -> None:
    assert nd.normalize(text) == normalised


@pytest.mark.parametrize("variant", [
    BASE,
    BASE.upper() + " !!!",
    "🔥🔥 " + BASE + " 😡",
    BASE + " https://t.co/other123 @jornal",
    "@alguem " + BASE + " #ForaFulana",
    BASE.replace("dinheiro", "grana"),
    BASE.replace("ninguém", "ninguem").replace("está", "esta"),
])
def test_small_edits_are_near_duplicates(variant: str) -> None:
    table = posts(("p1", "acc1", T0, BASE + " https://t.co/abc"),
                  ("p2", "acc2", T0 + 600, variant))
    edges = nd.neardup_edges(table, LocalEngine(2), Settings())
    assert list(edges.columns) == list(EDGE_COLUMNS)
    assert pairs_of(edges) == {("acc1", "acc2")}
    row = edges.iloc[0]
    assert row["signal"] == "near_duplicate" and row["objects"] == 1
    assert row["examples"] == "p1|p2"
    assert (row["first_ts"], row["last_ts"]) == (T0, T0 + 600)


@pytest.mark.parametrize("other", [
    # the same topic, other words
    "a floresta precisa de proteção e a deputada fulana defende os povos indígenas com "
    "coragem todos os dias enquanto a imprensa ignora as ameaças que ela recebe",
    # half of the text only
    "a deputada fulana de tal recebeu dinheiro de ongs estrangeiras e isso é tudo o que "
    "sabemos até agora segundo o jornal da cidade que publicou ontem à noite",
])
def test_different_texts_are_not_near_duplicates(other: str) -> None:
    table = posts(("p1", "acc1", T0, BASE), ("p2", "acc2", T0 + 60, other))
    assert nd.neardup_edges(table, LocalEngine(2), Settings()).empty


def test_short_generic_texts_are_ignored() -> None:
    table = posts(*[(f"p{i}", f"acc{i}", T0 + i, "ok, obrigada!! 🙏") for i in range(5)])
    assert nd.neardup_edges(table, LocalEngine(2), Settings()).empty
    keep, sig = nd.signatures(pa.array(["ok obrigada", "valeu", None, BASE]), 5)
    assert keep.tolist() == [3] and sig.shape == (1, nd.NUM_PERM)


def test_same_account_twice_is_no_edge() -> None:
    table = posts(("p1", "acc1", T0, BASE), ("p2", "acc1", T0 + 5, BASE + " !"))
    assert nd.neardup_edges(table, LocalEngine(2), Settings()).empty


def test_outside_the_text_window_is_no_edge() -> None:
    s = Settings(text_window_s=3600.0)
    table = posts(("p1", "acc1", T0, BASE), ("p2", "acc2", T0 + 3601, BASE),
                  ("p3", "acc3", T0 + 3600, BASE))
    edges = nd.neardup_edges(table, LocalEngine(2), s)
    assert pairs_of(edges) == {("acc1", "acc3"), ("acc2", "acc3")}


def test_repeated_pairs_count_once_per_text_and_clusters_name_variants() -> None:
    other = ("sabemos quem financia essa ativista e vamos mostrar os documentos para todo o "
             "brasil ver quem ela realmente é e quanto recebe por mês")
    table = posts(("p1", "acc1", T0, BASE), ("p2", "acc2", T0 + 10, BASE + " 😡"),
                  ("p3", "acc1", T0 + 20, BASE + " !!"), ("p4", "acc1", T0 + 30, other),
                  ("p5", "acc2", T0 + 40, other.upper()), ("p6", "acc3", T0 + 50,
                                                            BASE.replace("grupo", "bando")))
    result = nd.neardup(table, LocalEngine(3), Settings())
    edge = result.edges.set_index(["a", "b"]).loc[("acc1", "acc2")]
    assert edge["objects"] == 2  # two texts, although three post pairs of the first
    assert edge["examples"] == "p1|p2|p3|p4|p5"
    clusters = result.clusters.set_index("cluster")
    assert sorted(clusters.index) == ["p1", "p4"]
    assert clusters.loc["p1", "posts"] == 4 and clusters.loc["p1", "accounts"] == 3
    assert clusters.loc["p1", "variants"] == 2  # BASE (with or without emoji) and "bando"
    assert clusters.loc["p4", "representative"] == "p4"


def corpus(n_background: int = 1500, groups: int = 12, seed: int = 3) -> pd.DataFrame:
    rng = random.Random(seed)
    words = [f"palavra{i}" for i in range(400)] + BASE.split()
    rows = []
    for i in range(n_background):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 30)))
        rows.append((f"b{i}", f"a{rng.randrange(300)}", T0 + rng.uniform(0, 86400 * 3), text))
    for g in range(groups):
        base = [rng.choice(words) for _ in range(25)]
        start = T0 + rng.uniform(0, 86400 * 3)
        for k in range(8):
            text = list(base)
            text[rng.randrange(25)] = rng.choice(words)
            rows.append((f"g{g}_{k}", f"bot{g}_{k % 6}", start + rng.uniform(0, 900),
                         " ".join(text) + rng.choice(["", " 😡", " https://t.co/x"])))
    return pd.DataFrame(rows, columns=["post_id", "account_id", "timestamp", "text"])


def test_local_and_dask_give_identical_edges(dask_engine: DaskEngine, tmp_path: Path) -> None:
    frame = corpus()
    path = tmp_path / "posts.parquet"
    frame.to_parquet(path)
    local = nd.neardup(Table(path=path), LocalEngine(4), Settings())
    dask = nd.neardup(Table(path=path), dask_engine, Settings())
    from_frame = nd.neardup(Table(frame=frame), LocalEngine(1), Settings())
    assert len(local.edges) > 50
    pd.testing.assert_frame_equal(dask.edges, local.edges)
    pd.testing.assert_frame_equal(from_frame.edges, local.edges)
    pd.testing.assert_frame_equal(dask.clusters, local.clusters)
    bots = local.edges[local.edges["a"].str.startswith("bot")]
    assert len(bots) == len(local.edges)  # only planted groups
    assert (bots["a"].str.split("_").str[0] == bots["b"].str.split("_").str[0]).all()


def test_signatures_stream_in_chunks(tmp_path: Path) -> None:
    frame = corpus(300, 3)
    one = tmp_path / "one.parquet"
    many = tmp_path / "many.parquet"
    nd.write_signatures(Table(frame=frame), one, Settings(), chunk=10_000)
    nd.write_signatures(Table(frame=frame), many, Settings(), chunk=37, threads=2)
    pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(many))


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                max_size=300)


@settings(max_examples=60, deadline=None)
@given(text=texts, other=texts)
def test_signature_is_deterministic_and_identical_texts_collide(text: str, other: str) -> None:
    keep1, sig1 = nd.signatures(pa.array([text, other]), 1)
    keep2, sig2 = nd.signatures(pa.array([other, text, text]), 1)
    if not nd.normalize(text):
        assert 0 not in keep1.tolist()
        return
    first = sig1[keep1.tolist().index(0)]
    copies = [sig2[keep2.tolist().index(k)] for k in (1, 2)]
    assert all(np.array_equal(first, c) for c in copies)
    bands = nd.band_keys(np.vstack([first, *copies]))
    assert (bands[0] == bands[1]).all() and (bands[0] == bands[2]).all()


# --------------------------------------------------------------------------- bounded work

OTHER = ("sabemos quem financia essa ativista e vamos mostrar os documentos para todo o "
         "brasil ver quem ela realmente é e quanto recebe por mês")
BOILERPLATE = "bom dia grupo abençoado que deus ilumine o dia de todos vocês amém"


def _one_bucket(n: int, accounts: int, step: float) -> pd.DataFrame:
    """n rows of one bucket, identical signatures, one post every `step` seconds."""
    _, sig = nd.signatures(pa.array([BOILERPLATE]), 1)
    frame = pd.DataFrame({"bucket": np.full(n, 7, np.int64), "row": np.arange(n),
                          "pid": np.arange(n)[::-1].copy(), "acc": np.arange(n) % accounts,
                          "timestamp": T0 + np.arange(n) * step,
                          "variant": np.zeros(n, np.int64)})
    return frame.join(pd.DataFrame(np.repeat(sig, n, axis=0).astype(np.int64),
                                   columns=nd.HCOLS))


def test_each_post_meets_at_most_max_text_neighbours_later_posts() -> None:
    n, k = 300, 7
    frame = _one_bucket(n, n, 1.0)  # 300 accounts, all within the window
    pairs = nd.bucket_pairs(frame, Settings(max_text_neighbours=k))
    # post i meets i+1 … i+k: sum of min(k, n - 1 - i), not n (n - 1) / 2
    assert len(pairs) == sum(min(k, n - 1 - i) for i in range(n))
    gaps = (pairs["ts_b"] - pairs["ts_a"]).abs()
    assert gaps.max() == k
    unbounded = nd.bucket_pairs(frame, Settings(max_text_neighbours=n))
    assert len(unbounded) == n * (n - 1) // 2


def test_neighbours_are_counted_in_time_then_post_id_order_not_input_order() -> None:
    frame = _one_bucket(40, 40, 0.0)  # every post at the same second: ties everywhere
    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    a = nd.bucket_pairs(frame, Settings(max_text_neighbours=3))
    b = nd.bucket_pairs(shuffled, Settings(max_text_neighbours=3))
    key = ["row_a", "row_b"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True),
                                  b.sort_values(key).reset_index(drop=True))
    # pid order is the reverse of row order here: neighbours follow pid, not row
    assert set(zip(a["row_a"], a["row_b"], strict=True)) >= {(38, 39), (37, 39), (36, 39)}


def heavy_boilerplate(n: int = 1500, seed: int = 9) -> pd.DataFrame:
    """n copies of one boilerplate text (small edits) by n / 2 accounts within 3 hours, with a
    group of 8 accounts pasting a campaign text in the middle of it."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        text = BOILERPLATE + rng.choice(["", " 🙏", " !!", " 🌻🌻", " amém amém"])
        rows.append((f"x{i:05d}", f"crowd{rng.randrange(n // 2)}", T0 + rng.uniform(0, 10800),
                     text))
    for k in range(8):
        rows.append((f"g{k}", f"bot{k}", T0 + 5000 + 30 * k,
                     BASE + rng.choice(["", " 😡", " https://t.co/x", " #ForaFulana"])))
    return pd.DataFrame(rows, columns=["post_id", "account_id", "timestamp", "text"])


def test_boilerplate_is_bounded_and_a_group_inside_it_is_still_found() -> None:
    frame = heavy_boilerplate()
    bounded = Settings(max_text_neighbours=10)
    result = nd.neardup(Table(frame=frame), LocalEngine(3), bounded)
    bots = result.edges[result.edges["a"].str.startswith("bot")]
    assert pairs_of(bots) == {(f"bot{i}", f"bot{j}") for i in range(8) for j in range(i + 1, 8)}
    crowd = result.pairs[result.pairs["post_a"].str.startswith("x")]
    # at most 10 later posts per post in each of its 16 buckets, not the 1.1M of all pairs
    assert 0 < len(crowd) <= 1500 * 10 * nd.BANDS
    # the crowd is still one cluster: each post is chained to its neighbours in time
    clusters = result.clusters.set_index("cluster")
    assert clusters.loc["g0", "posts"] == 8
    big = clusters.drop(index="g0")
    assert len(big) == 1 and big["posts"].iloc[0] == 1500
    everything = nd.neardup(Table(frame=frame), LocalEngine(3),
                            Settings(max_text_neighbours=2000))
    assert len(everything.pairs) > 20 * len(crowd)
    assert pairs_of(everything.edges[everything.edges["a"].str.startswith("bot")]) == \
        pairs_of(bots)


def test_viral_buckets_and_posts_without_a_neighbour_in_time_are_skipped() -> None:
    # one text by 30 accounts within an hour: viral above 20 accounts
    same = posts(*[(f"p{i}", f"acc{i}", T0 + 60 * i, BASE) for i in range(30)])
    assert len(nd.neardup_edges(same, LocalEngine(2), Settings())) == 30 * 29 // 2
    assert nd.neardup_edges(same, LocalEngine(2), Settings(max_object_accounts=20)).empty
    # the same text a day apart each time: no post has a neighbour within the window
    spread = posts(*[(f"p{i}", f"acc{i}", T0 + 86400 * i, BASE) for i in range(5)])
    assert nd.neardup_edges(spread, LocalEngine(2), Settings()).empty


def test_write_buckets_keeps_only_rows_that_can_pair(tmp_path: Path) -> None:
    far = posts(("p1", "acc1", T0, BASE), ("p2", "acc2", T0 + 86400, BASE),
                ("p3", "acc3", T0 + 86400 + 60, BASE), ("p4", "acc4", T0 + 3 * 86400, BASE),
                ("p5", "acc5", T0, OTHER), ("p6", "acc5", T0 + 9, OTHER + " !"))
    nd.write_signatures(far, tmp_path / "sig.parquet", Settings())
    n = nd.write_buckets(tmp_path / "sig.parquet", tmp_path / "b.parquet", Settings())
    table = pd.read_parquet(tmp_path / "b.parquet")
    # p2 and p3 (a minute apart) in all 16 bands; p1, p4 alone in time; p5, p6: one account
    assert n == len(table) == 2 * nd.BANDS
    assert sorted(set(table["row"])) == [1, 2]


def test_local_and_dask_agree_when_the_bound_is_active(dask_engine: DaskEngine,
                                                       tmp_path: Path) -> None:
    frame = pd.concat([heavy_boilerplate(600), corpus(400, 4)], ignore_index=True)
    path = tmp_path / "posts.parquet"
    frame.to_parquet(path)
    bounded = Settings(max_text_neighbours=5)
    local = nd.neardup(Table(path=path), LocalEngine(4), bounded)
    dask = nd.neardup(Table(path=path), dask_engine, bounded)
    shuffled = nd.neardup(Table(frame=frame.sample(frac=1.0, random_state=1)), LocalEngine(2),
                          bounded)
    assert len(local.pairs) > 1000
    pd.testing.assert_frame_equal(dask.pairs, local.pairs)
    pd.testing.assert_frame_equal(dask.edges, local.edges)
    pd.testing.assert_frame_equal(dask.clusters, local.clusters)
    pd.testing.assert_frame_equal(shuffled.edges, local.edges)


def _pair(a: str, b: str, pa: str, pb: str, ta: float, tb: float,
          cluster: str) -> dict[str, object]:
    return {"a": a, "b": b, "post_a": pa, "post_b": pb, "ts_a": ta, "ts_b": tb,
            "similarity": 0.8, "variant_a": 0, "variant_b": 0, "cluster": cluster}


def test_accounts_in_one_cluster_count_as_posting_the_same_text() -> None:
    # Copies by B and C are each close to A's, not to each other; D's copy is a day later.
    pairs = pd.DataFrame([
        _pair("A", "B", "a1", "b1", 0, 60, "a1"), _pair("A", "C", "a1", "c1", 0, 90, "a1"),
        _pair("A", "D", "a1", "d1", 0, 86400, "a1"),
        _pair("A", "B", "a2", "b2", 5000, 5030, "a2"),
        _pair("A", "C", "a2", "c2", 5000, 5100, "a2"),
    ])
    edges = nd._edges(pairs, Settings())
    got = {(r.a, r.b): (r.objects, r.weight) for r in edges.itertuples()}
    assert got[("B", "C")] == (2, 1.4)  # two texts, each chained: the threshold as similarity
    assert got[("A", "B")] == (2, 1.6)  # direct pairs keep their measured similarity
    assert ("B", "D") not in got and ("C", "D") not in got  # a day apart: not together
    assert edges.loc[edges["a"].eq("B") & edges["b"].eq("C"), "examples"].item() == \
        "b1|b2|c1|c2"
    # Clusters bigger than max_cluster_posts keep only their direct pairs: the 4-post
    # cluster no longer links B and C, the 3-post one still does.
    small = nd._edges(pairs, Settings(max_cluster_posts=3))
    assert {(r.a, r.b): r.objects for r in small.itertuples()}[("B", "C")] == 1
