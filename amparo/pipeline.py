"""Runs the detectors over a stream of texts: language identification first, then every
detector, in batches, across processes. A detector that fails on a batch becomes an error
record in the run's report; the run goes on. Every run yields a manifest: tool, detector and
artefact versions with hashes, inputs' SHA-256 and UTC times.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from amparo import __version__
from amparo.detect import language
from amparo.detect.base import Detector, DetectorContext, Finding, TextItem
from amparo.detect.registry import DETECTORS
from amparo.errors import InvalidValue

BATCH_SIZE = 1000


@dataclass(frozen=True)
class RunError:
    detector: str
    first_id: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"detector": self.detector, "first_id": self.first_id, "error": self.error}


@dataclass
class BatchResult:
    findings: list[Finding]
    languages: dict[str, str | None]
    errors: list[RunError]
    # name -> {"name", "version", "artefacts"} of the detectors that produced the findings,
    # sent once per worker (with its first batch) for the run's manifest
    detectors: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class RunReport:
    started_at: datetime
    messages: int = 0
    findings: int = 0
    errors: list[RunError] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    detectors: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Worker:
    """The detectors of one process, loaded once."""

    def __init__(self, classes: Sequence[type[Detector]], context: DetectorContext) -> None:
        self.language = language.LanguageIdentifier()
        self.language.load()
        self.detectors: list[Detector] = []
        self.load_errors: list[RunError] = []
        self.loaded: dict[str, dict[str, Any]] = {}
        for cls in classes:
            det = cls()
            self.loaded[cls.name] = described = _loaded(det, context)
            if "error" in described["artefacts"]:
                error = described["artefacts"]["error"]
                self.load_errors.append(RunError(cls.name, "", f"load failed: {error}"))
            else:
                self.detectors.append(det)

    def run(self, batch: Sequence[TextItem]) -> BatchResult:
        errors, loaded = list(self.load_errors), self.loaded
        self.load_errors, self.loaded = [], {}  # reported once per worker
        try:
            langs = self.language.identify([t.text for t in batch])
        except Exception as exc:  # noqa: BLE001
            errors.append(RunError("language", batch[0].id, _describe(exc)))
            langs = [t.language for t in batch]
        items = [replace(t, language=t.language or lang) for t, lang in zip(batch, langs,
                                                                           strict=True)]
        findings: list[Finding] = []
        for det in self.detectors:
            try:
                findings.extend(det.detect(items))
            except Exception as exc:  # noqa: BLE001 - recorded; the other detectors go on
                errors.append(RunError(det.name, batch[0].id, _describe(exc)))
        return BatchResult(findings, {t.id: t.language for t in items}, errors, loaded)


def _loaded(det: Detector, context: DetectorContext) -> dict[str, Any]:
    """Load `det` and describe it for the manifest (a load failure is described, not
    raised: a broken detector must not stop the run)."""
    try:
        det.load(context)
        artefacts = det.artefacts()
    except Exception as exc:  # noqa: BLE001
        artefacts = {"error": _describe(exc)}
    return {"name": det.name, "version": det.version, "artefacts": artefacts}


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"


_worker: _Worker | None = None


def _init_worker(classes: Sequence[type[Detector]], context: DetectorContext) -> None:
    global _worker
    _worker = _Worker(classes, context)


def _run_in_worker(batch: Sequence[TextItem]) -> BatchResult:
    assert _worker is not None
    return _worker.run(batch)


def _batches(items: Iterable[TextItem], size: int) -> Iterator[list[TextItem]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def detector_names(selected: Sequence[str] | None = None) -> list[str]:
    names = list(selected) if selected else list(DETECTORS)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise InvalidValue(f"unknown detector(s): {', '.join(unknown)}; "
                         f"known: {', '.join(DETECTORS)}")
    return names


def manifest(names: Sequence[str], context: DetectorContext, inputs: dict[str, str],
             loaded: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """What produced a run's findings, for the record (STYLE.md, rule 8). `loaded`: the
    detectors as the run's workers loaded them (`RunReport.detectors`); a detector missing
    there (a run with no messages) is loaded here to describe it."""
    loaded = loaded or {}
    detectors = [loaded[name] if name in loaded else _loaded(DETECTORS[name](), context)
                 for name in names]
    return {
        "tool": "amparo",
        "tool_version": __version__,
        "python": platform.python_version(),
        "language_identifier": {"version": language.VERSION,
                                "languages": sorted(language.LANGUAGES)},
        "detectors": detectors,
        "inputs": inputs,
    }


def run(
    items: Iterable[TextItem],
    *,
    names: Sequence[str] | None = None,
    context: DetectorContext | None = None,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[BatchResult, int], None],
) -> RunReport:
    """Analyse `items`; `on_batch(result, batch_len)` receives results as they come, in
    input order, so callers can store or print them while memory stays flat."""
    names = detector_names(names)
    context = context or DetectorContext()
    workers = workers or min(os.cpu_count() or 1, 4)
    report = RunReport(started_at=datetime.now(UTC))

    def take(result: BatchResult, n: int) -> None:
        report.messages += n
        report.findings += len(result.findings)
        report.errors.extend(result.errors)
        for name, described in result.detectors.items():
            report.detectors.setdefault(name, described)
        on_batch(result, n)

    classes = [DETECTORS[n] for n in names]
    if workers == 1:
        worker = _Worker(classes, context)
        for batch in _batches(items, batch_size):
            take(worker.run(batch), len(batch))
        return report
    # "spawn", not fork: the language identifier and the models run thread pools that a
    # forked child would inherit in a locked state.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(classes, context)) as pool:
        pending: list[tuple[Future[BatchResult], int]] = []
        for batch in _batches(items, batch_size):
            pending.append((pool.submit(_run_in_worker, batch), len(batch)))
            if len(pending) >= 2 * workers:  # bounded look-ahead keeps memory flat
                fut, n = pending.pop(0)
                take(fut.result(), n)
        for fut, n in pending:
            take(fut.result(), n)
    return report
