"""The abuse model's file format: NumPy arrays + JSON, nothing pickled, and the same scores as
the joblib pickle it replaced (recorded from it in tests/fixtures/abuse/)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from amparo.detect.abuse import MODEL_PATH
from amparo.detect.abuse_model import LinearModel

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "abuse" / "expected-scores.json"


@pytest.fixture(scope="module")
def model() -> LinearModel:
    return LinearModel.load(MODEL_PATH)


def test_scores_equal_those_of_the_pickled_model(model: LinearModel) -> None:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))["sentences"]
    assert len(rows) == 299 and {r["lang"] for r in rows} == {"en", "pt", "es", "fr", "ar"}
    expected = np.array([[r["scores"][label] for label in model.labels] for r in rows])
    got = model.predict([r["folded"] for r in rows])
    # Same float32 weights, same arithmetic: equal to the last bit on this machine; the
    # tolerance only allows for another CPU's summation order.
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    for j, label in enumerate(model.labels):
        for r, p, e in zip(rows, got[:, j], expected[:, j], strict=True):
            threshold = model.threshold(label, r["lang"])
            assert (p >= threshold) == (e >= threshold), (label, r["text"])


def test_artefact_is_arrays_and_json_only() -> None:
    arrays, description = LinearModel.files(MODEL_PATH)
    assert (arrays.name, description.name) == ("abuse.npz", "abuse.json")
    assert not list(MODEL_PATH.parent.glob("*.joblib")) and not list(
        MODEL_PATH.parent.glob("*.pkl"))
    with zipfile.ZipFile(arrays) as zf:
        assert sorted(zf.namelist()) == ["coef.npy", "intercept.npy"]
    meta = json.loads(description.read_text(encoding="utf-8"))
    assert meta["format"] == "amparo-linear-model/2"
    assert meta["labels"] == ["abuse.insult", "abuse.hate"]
    assert arrays.stat().st_size < 5 * 1024 * 1024


def test_save_is_reproducible_and_round_trips(model: LinearModel, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "m.npz", tmp_path / "b" / "m.npz"
    for path in (first, second):
        path.parent.mkdir()
        model.save(path)
    assert first.read_bytes() == second.read_bytes() == MODEL_PATH.read_bytes()
    again = LinearModel.load(first)
    assert np.array_equal(again.coef, model.coef) and again.coef.dtype == np.float32
    assert np.array_equal(again.intercept, model.intercept)
    assert (again.labels, again.spec, again.thresholds, again.meta) == (
        model.labels, model.spec, model.thresholds, model.meta)


def test_mismatched_or_foreign_files_are_refused(model: LinearModel, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    model.save(path)
    description = path.with_suffix(".json")
    meta = json.loads(description.read_text(encoding="utf-8"))
    damaged = bytearray(path.read_bytes())
    damaged[-100] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=r"m\.npz: SHA-256 differs from the one in m\.json"):
        LinearModel.load(path)
    description.write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"m\.json: unsupported abuse model format 1"):
        LinearModel.load(path)
    description.write_text("\x80 not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"m\.json: not an abuse model description"):
        LinearModel.load(path)


def test_a_pickle_in_the_arrays_is_not_loaded(model: LinearModel, tmp_path: Path) -> None:
    """An .npz holding an object array (which needs pickle) is refused, not unpickled."""
    path = tmp_path / "m.npz"
    model.save(path)
    np.savez(path, coef=np.array([{"a": 1}], dtype=object), intercept=model.intercept)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    meta["arrays_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match=r"m\.npz: not the abuse model's arrays: .*allow_pickle"):
        LinearModel.load(path)
