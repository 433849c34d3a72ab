"""The pipeline: batching, processes, failing detectors, manifests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from amparo import pipeline
from amparo.detect import registry
from amparo.detect.base import Detector, DetectorContext, Finding, Severity, Span, TextItem


class KeywordDetector(Detector):
    """A tiny real detector for pipeline tests: flags the word 'matar'."""

    name: ClassVar[str] = "test-keyword"
    version: ClassVar[str] = "0.1"
    labels: ClassVar[tuple[str, ...]] = ("threat.death",)

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        out = []
        for item in batch:
            pos = item.text.find("matar")
            if pos >= 0:
                out.append(self.finding(item, "threat.death", Severity.CRITICAL, 0.9,
                                        [Span(pos, pos + 5, "matar")],
                                        f"says 'matar' ({item.language})"))
        return out


class BrokenDetector(Detector):
    name: ClassVar[str] = "test-broken"
    version: ClassVar[str] = "0.1"
    labels: ClassVar[tuple[str, ...]] = ()

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        if any("boom" in t.text for t in batch):
            raise RuntimeError("cannot cope")
        return []


class UnloadableDetector(Detector):
    name: ClassVar[str] = "test-unloadable"
    version: ClassVar[str] = "0.1"
    labels: ClassVar[tuple[str, ...]] = ()

    def load(self, context: DetectorContext) -> None:
        raise FileNotFoundError("model.joblib")

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        return []


@pytest.fixture(autouse=True)
def test_detectors(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (KeywordDetector, BrokenDetector, UnloadableDetector):
        monkeypatch.setitem(registry.DETECTORS, cls.name, cls)


def items(n: int) -> list[TextItem]:
    texts = ["vou te matar amanhã", "bom dia a todos", "boom goes the dynamite", "ok"]
    return [TextItem(str(i), texts[i % 4]) for i in range(n)]


@pytest.mark.parametrize("workers", [1, 2])
def test_run_keeps_going_past_a_failing_detector(workers: int) -> None:
    got: list[Finding] = []
    langs: dict[str, str | None] = {}

    def on_batch(result: pipeline.BatchResult, n: int) -> None:
        got.extend(result.findings)
        langs.update(result.languages)

    report = pipeline.run(items(250), names=["test-keyword", "test-broken", "test-unloadable"],
                          workers=workers, batch_size=40, on_batch=on_batch)
    assert report.messages == 250
    assert sorted(int(f.message_id) for f in got) == list(range(0, 250, 4))
    assert got[0].explanation == "says 'matar' (pt)"
    assert langs["1"] == "pt" and langs["3"] is None
    broken = [e for e in report.errors if e.detector == "test-broken"]
    assert len(broken) == 7  # every batch holds a "boom"
    assert "RuntimeError: cannot cope" in broken[0].error
    unloadable = [e for e in report.errors if e.detector == "test-unloadable"]
    assert unloadable and "load failed: FileNotFoundError" in unloadable[0].error


def test_unknown_detector_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown detector"):
        pipeline.run([], names=["nope"], on_batch=lambda r, n: None)


def test_manifest_names_versions_and_inputs() -> None:
    man = pipeline.manifest(["test-keyword", "test-unloadable"], DetectorContext(),
                            {"x.csv": "ab" * 32})
    assert man["tool"] == "amparo"
    assert man["inputs"] == {"x.csv": "ab" * 32}
    assert man["detectors"][0] == {"name": "test-keyword", "version": "0.1", "artefacts": {}}
    assert "FileNotFoundError" in man["detectors"][1]["artefacts"]["error"]


@pytest.mark.parametrize("workers", [1, 2])
def test_manifest_describes_the_detectors_the_workers_loaded(
        workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["test-keyword", "test-unloadable"]
    report = pipeline.run(items(100), names=names, workers=workers, batch_size=10,
                          on_batch=lambda r, n: None)
    assert sorted(report.detectors) == names
    # Not loaded a second time for the record: a detector that could no longer load in the
    # main process is still described as the workers ran it.
    monkeypatch.setitem(registry.DETECTORS, "test-keyword", UnloadableDetector)
    man = pipeline.manifest(names, DetectorContext(), {}, report.detectors)
    assert man["detectors"][0] == {"name": "test-keyword", "version": "0.1", "artefacts": {}}
    assert "FileNotFoundError" in man["detectors"][1]["artefacts"]["error"]
