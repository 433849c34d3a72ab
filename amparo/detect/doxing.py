"""Doxing: private data exposed in messages and posts.

Generic recognisers (amparo/detect/doxing_finders.py) report phone numbers, emails, street
addresses, coordinates, checksum-valid identity and tax numbers, IBANs, vehicle plates next to
a vehicle word, and IP addresses. Above all, the defender's own watchlist
(amparo/detect/doxing_watchlist.py) is matched robustly: a hit is critical, and its explanation
names the kind of data but never repeats it. Where a watchlist hit covers a generic one, only
the watchlist finding is kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import yaml

from amparo.detect.base import Detector, DetectorContext, Finding, Severity, Span, TextItem
from amparo.detect.doxing_finders import Finders, Hit
from amparo.detect.doxing_watchlist import KIND_WORDS, Watchlist

_RESOURCES = ("patterns.yaml", "ids.yaml", "iban.yaml", "watchlist.yaml")
_DIGIT = re.compile(r"\d")


def _read(name: str) -> tuple[dict[str, Any], str]:
    raw = resources.files("amparo.detect").joinpath("resources", "doxing", name).read_bytes()
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ValueError(f"doxing resource {name} is not a mapping")
    return data, hashlib.sha256(raw).hexdigest()


class DoxingDetector(Detector):
    name = "doxing"
    version = "1.1.0"  # 1.1: fediverse handles are not e-mail addresses
    labels = ("doxing.phone", "doxing.email", "doxing.address", "doxing.coordinates",
              "doxing.id_number", "doxing.iban", "doxing.plate", "doxing.ip", "doxing.watchlist")

    def __init__(self) -> None:
        self._finders: Finders | None = None
        self._watchlist: Watchlist | None = None
        self._hashes: dict[str, str] = {}

    def load(self, context: DetectorContext) -> None:
        data: dict[str, dict[str, Any]] = {}
        for name in _RESOURCES:
            data[name], self._hashes[f"doxing/{name}"] = _read(name)
        self._finders = Finders(data["patterns.yaml"], data["ids.yaml"], data["iban.yaml"],
                                context.country)
        self._watchlist = (Watchlist(context.watchlist, data["watchlist.yaml"], context.country)
                           if context.watchlist else None)

    def artefacts(self) -> dict[str, str]:
        return dict(self._hashes)

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        if self._finders is None:
            raise RuntimeError("DoxingDetector.detect() called before load()")
        findings: list[Finding] = []
        for item in batch:
            findings.extend(self._detect_one(item, self._finders))
        return findings

    def _detect_one(self, item: TextItem, finders: Finders) -> list[Finding]:
        text = item.text
        out: list[Finding] = []
        watched: list[tuple[int, int]] = []
        if self._watchlist is not None:
            for w in self._watchlist.match(text, _DIGIT.search(text) is not None):
                watched.append((w.start, w.end))
                out.append(self.finding(
                    item, "doxing.watchlist", Severity.CRITICAL, w.score,
                    [Span(w.start, w.end, text[w.start:w.end])],
                    f"The defender's own {KIND_WORDS.get(w.kind, 'private detail')} (on their "
                    f"watchlist as '{w.kind}') is exposed in this message{w.how}"))
        for h in finders.find(text):
            if any(s < h.end and h.start < e for s, e in watched):
                continue
            out.append(self._from_hit(item, h))
        return out

    def _from_hit(self, item: TextItem, h: Hit) -> Finding:
        return self.finding(item, h.label, h.severity, h.score,
                            [Span(h.start, h.end, item.text[h.start:h.end])], h.explanation)
