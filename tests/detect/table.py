"""Run a detector over a parametrised table: each case is (text, language, expected labels)."""

from __future__ import annotations

from amparo.detect.base import Detector, DetectorContext, Finding, TextItem


def run(detector: Detector, text: str, language: str | None = None,
        context: DetectorContext | None = None) -> list[Finding]:
    detector.load(context or DetectorContext())
    return detector.detect([TextItem("m1", text, language)])


def labels(findings: list[Finding]) -> set[str]:
    return {f.label for f in findings}
