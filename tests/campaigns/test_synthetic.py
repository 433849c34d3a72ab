"""The synthetic scenario generator (deterministic, consistent ground truth, decoys present)
and detection quality end to end on a small scenario (the test that fails if detection
regresses)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from amparo.campaigns import synthetic
from amparo.campaigns.detect import detect_campaigns
from amparo.campaigns.engines import LocalEngine

pytestmark = pytest.mark.skipif(not synthetic.DEFAULT_BACKGROUND.is_file(),
                                reason=f"{synthetic.DEFAULT_BACKGROUND} is missing")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synthetic.Truth]:
    path = tmp_path_factory.mktemp("syn") / "small.csv"
    return path, synthetic.write_scenario(synthetic.small_scenario(), path)


def test_generator_is_deterministic(small: tuple[Path, synthetic.Truth],
                                    tmp_path: Path) -> None:
    path, truth = small
    again = synthetic.write_scenario(synthetic.small_scenario(), tmp_path / "again.csv")
    assert hashlib.sha256(path.read_bytes()).digest() == \
        hashlib.sha256((tmp_path / "again.csv").read_bytes()).digest()
    assert again.to_dict() == truth.to_dict()
    other = synthetic.write_scenario(synthetic.with_seed(synthetic.small_scenario(), 99),
                                     tmp_path / "other.csv")
    assert other.campaigns != truth.campaigns


def test_ground_truth_is_consistent(small: tuple[Path, synthetic.Truth]) -> None:
    path, truth = small
    rows = pd.read_csv(path, dtype=str)
    accounts = set(rows["account_id"])
    specs = {s.name: s for s in synthetic.small_scenario().campaigns}
    assert set(truth.campaigns) == set(specs)
    seen: set[str] = set()
    for name, members in truth.campaigns.items():
        assert len(members) == specs[name].accounts == len(set(members))
        assert set(members) <= accounts  # every planted account posts
        assert not set(members) & seen  # campaigns do not share accounts
        seen |= set(members)
        assert truth.kinds[name] == specs[name].kind
    assert not truth.planted() & truth.decoy_accounts()
    assert truth.posts == rows["post_id"].nunique()
    assert truth.rows == len(rows)
    # Every background post has a filler text; campaign messages name their target.
    first = rows.drop_duplicates("post_id")
    assert first["text"].notna().all()
    copy_paste = [a for n, m in truth.campaigns.items() if truth.kinds[n] == "text" for a in m]
    texts = rows[rows["account_id"].isin(copy_paste) & rows["post_id"].str.startswith("s")]
    assert texts["text"].str.contains("|".join(synthetic._TARGETS)).all()


def test_decoys_are_present(small: tuple[Path, synthetic.Truth]) -> None:
    path, truth = small
    rows = pd.read_csv(path, dtype=str)
    scenario = synthetic.small_scenario()
    viral = rows[rows["url_id"] == "u-viral"]
    assert viral["account_id"].nunique() == scenario.viral_link_accounts
    assert set(viral["account_id"]) == set(truth.decoys["viral_link"])
    span = viral["timestamp"].astype(float)
    assert span.max() - span.min() > 3 * 3600  # spread over hours
    day = rows[rows["text"].fillna("").str.contains("#WahlArena")]
    assert day["account_id"].nunique() == scenario.hashtag_day_accounts


def test_total_posts_scales_with_time_shifted_copies(tmp_path: Path) -> None:
    sc = synthetic.Scenario(campaigns=synthetic.small_scenario().campaigns[:2],
                            viral_link_accounts=20, hashtag_day_accounts=20,
                            background_fraction=0.01, total_posts=5000)
    truth = synthetic.write_scenario(sc, tmp_path / "big.parquet")
    frame = pd.read_parquet(tmp_path / "big.parquet")
    assert truth.posts == frame["post_id"].nunique() == 5000
    assert len(truth.campaigns) % 2 == 0 and len(truth.campaigns) > 2  # one set per copy
    assert frame["account_id"].str.endswith("~1").any()  # the second copy's accounts
    assert frame["timestamp"].max() - frame["timestamp"].min() > 42 * 86400  # shifted copy


def test_decorrelated_background_keeps_posts_days_and_activity() -> None:
    recorded = synthetic._load_background(synthetic.DEFAULT_BACKGROUND)
    dealt = synthetic._decorrelate(recorded, seed=7)
    key = ["post_id", "timestamp", "url_id", "hashtag_id", "domain_id", "phash_id"]
    # every post keeps its time and its objects ...
    assert dealt[key].sort_values(key).fillna("").values.tolist() == \
        recorded[key].sort_values(key).fillna("").values.tolist()
    # ... each account posts as often on each day as it did ...
    def per_day(frame: pd.DataFrame) -> pd.Series:
        posts = frame.drop_duplicates("post_id")
        return posts.groupby([posts["timestamp"] // synthetic.DAY, "account_id"]).size()
    pd.testing.assert_series_equal(per_day(dealt).sort_index(), per_day(recorded).sort_index())
    # ... all rows of a post stay with one account, but who posted what has changed.
    assert (dealt.groupby("post_id")["account_id"].nunique() == 1).all()
    moved = dealt.drop_duplicates("post_id").set_index("post_id")["account_id"] != \
        recorded.drop_duplicates("post_id").set_index("post_id")["account_id"]
    assert moved.mean() > 0.9
    assert synthetic._decorrelate(recorded, seed=7).equals(dealt)


def _detect(path: Path, work: Path) -> list[list[str]]:
    inputs = synthetic.load_scenario(path, work)
    return [c.accounts for c in detect_campaigns(inputs, LocalEngine(4)).campaigns]


@pytest.fixture(scope="module")
def quality(small: tuple[Path, synthetic.Truth],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path, truth = small
    tmp = tmp_path_factory.mktemp("detect")
    base_path = tmp / "base.csv"
    synthetic.write_scenario(synthetic.baseline_scenario(synthetic.small_scenario()), base_path)
    baseline = {a for g in _detect(base_path, tmp / "base") for a in g}
    return synthetic.score(_detect(path, tmp / "scenario"), truth, baseline)


def test_planted_campaigns_are_found(quality: dict[str, Any]) -> None:
    assert quality["recall"] >= 0.9, quality["per_campaign"]
    # The background is decorrelated (labelled): every other account flagged is an error.
    assert quality["precision"] >= 0.9, quality
    assert quality["precision_planted_groups"] >= 0.9
    assert quality["decoys_flagged"]["hashtag_day"] == 0


def test_no_viral_decoy_flagged_and_precise(quality: dict[str, Any]) -> None:
    assert quality["decoys_flagged"]["viral_link"] == 0
    assert quality["precision_vs_baseline"] >= 0.9
