"""End to end: the local and Dask engines give identical campaigns on real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from amparo.campaigns.detect import detect_campaigns
from amparo.campaigns.engines import DaskEngine, LocalEngine
from amparo.campaigns.io import load_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "coordination"


@pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is missing")
def test_local_and_dask_find_identical_campaigns(tmp_path: Path) -> None:
    inputs = load_file(DATA / "german_elections.csv", tmp_path)
    local = detect_campaigns(inputs, LocalEngine()).to_dict()
    engine = DaskEngine()
    try:
        dask = detect_campaigns(inputs, engine).to_dict()
    finally:
        engine.close()
    assert local == dask
    assert len(local["campaigns"]) > 10
    assert all(len(c["accounts"]) >= 3 for c in local["campaigns"])
