"""Both engines group rows by key completely and give identical results."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from amparo.campaigns.engines import DaskEngine, Engine, LocalEngine, Table


def per_key(frame: pd.DataFrame) -> pd.DataFrame:
    # A map that is only right when it sees every row of a key: distinct accounts per object.
    return (frame.groupby("object_id")["account_id"].nunique().rename("accounts")
            .reset_index())


def combine(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("object_id").reset_index(drop=True)


META = pd.DataFrame({"object_id": pd.Series(dtype=str), "accounts": pd.Series(dtype="int64")})


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    engine = DaskEngine(partitions=7)
    yield engine
    engine.close()


def shares(n: int = 5000) -> pd.DataFrame:
    return pd.DataFrame({
        "post_id": [str(i) for i in range(n)],
        "account_id": [f"acc{i % 97}" for i in range(n)],
        "timestamp": [float(i) for i in range(n)],
        "object_type": ["url"] * n,
        "object_id": [f"obj{(i * 7) % 313}" for i in range(n)],
    })


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    return combine(per_key(frame))


@pytest.mark.parametrize("partitions", [1, 5, 16])
def test_local_engine_groups_keys_completely(partitions: int) -> None:
    frame = shares()
    engine: Engine = LocalEngine(partitions)
    got = engine.map_reduce(Table(frame=frame), "object_id", per_key, combine, META)
    pd.testing.assert_frame_equal(got, expected(frame), check_dtype=False)


def test_dask_engine_matches_local(dask_engine: DaskEngine, tmp_path: object) -> None:
    frame = shares()
    local = LocalEngine(4).map_reduce(Table(frame=frame), "object_id", per_key, combine, META)
    dask = dask_engine.map_reduce(Table(frame=frame), "object_id", per_key, combine, META)
    pd.testing.assert_frame_equal(dask, local, check_dtype=False)


def test_filter_applies_in_both(dask_engine: DaskEngine) -> None:
    frame = shares()
    where = "account_id <> 'acc1'"
    local = LocalEngine(3).map_reduce(Table(frame=frame), "object_id", per_key, combine, META,
                                      where)
    dask = dask_engine.map_reduce(Table(frame=frame), "object_id", per_key, combine, META,
                                  where)
    pd.testing.assert_frame_equal(dask, local, check_dtype=False)
    assert len(local) == 313
