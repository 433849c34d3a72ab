"""The links detector: links and domains listed as spyware or phishing infrastructure
(link.ioc), domains imitating services defenders log into (link.lookalike) and shortened
links whose destination nobody can see without opening them (link.shortener).

Amparo never opens, resolves or fetches a link: everything is decided from the text.
Indicators come from a small committed snapshot of Amnesty Tech's and the MVT project's public
feeds (scripts/build_indicator_snapshot.py) and from the collections imported into the
workspace (`DetectorContext.indicators_dir`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from amparo.detect.base import Detector, DetectorContext, Finding, Severity, Span, TextItem
from amparo.detect.indicators import (
    IndicatorCollection,
    IndicatorIndex,
    Listing,
    collection_from_json,
    load_collections,
)
from amparo.detect.links_extract import Link, extract
from amparo.detect.links_lookalike import Lookalikes
from amparo.digest import sha256_file

RESOURCES = Path(__file__).parent / "resources" / "links"
SNAPSHOT = RESOURCES / "indicators-snapshot.json"
_FILES = ("services.yaml", "confusables.yaml", "shorteners.yaml", "spyware.yaml")


class LinksDetector(Detector):
    name = "links"
    version = "1.1.0"  # 1.1: IDNA 2008 host names; STIX patterns by the grammar
    labels = ("link.ioc", "link.lookalike", "link.shortener")

    def __init__(self, use_snapshot: bool = True) -> None:
        self.use_snapshot = use_snapshot
        self._index = IndicatorIndex([])
        self._lookalikes: Lookalikes | None = None
        self._shorteners: frozenset[str] = frozenset()
        self._artefacts: dict[str, str] = {}

    def load(self, context: DetectorContext) -> None:
        data: dict[str, Any] = {}
        artefacts = {}
        for file in _FILES:
            path = RESOURCES / file
            data[file] = yaml.safe_load(path.read_text(encoding="utf-8"))
            artefacts[file] = sha256_file(path)
        self._lookalikes = Lookalikes(data["services.yaml"], data["confusables.yaml"])
        self._shorteners = frozenset(str(s) for s in data["shorteners.yaml"]["shorteners"])
        collections: list[IndicatorCollection] = []
        if self.use_snapshot and context.extras.get("links.snapshot", "on") != "off":
            collections.append(collection_from_json(
                json.loads(SNAPSHOT.read_text(encoding="utf-8")), str(SNAPSHOT)))
            artefacts[SNAPSHOT.name] = sha256_file(SNAPSHOT)
        if context.indicators_dir:
            collections.extend(load_collections(context.indicators_dir))
            for path in sorted(Path(context.indicators_dir).glob("*.json")):
                artefacts[f"indicators/{path.name}"] = sha256_file(path)
        self._index = IndicatorIndex(collections, data["spyware.yaml"]["spyware_words"])
        self._artefacts = artefacts

    def artefacts(self) -> dict[str, str]:
        return dict(self._artefacts)

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        if self._lookalikes is None:
            raise RuntimeError("LinksDetector.detect called before load()")
        findings: list[Finding] = []
        for item in batch:
            links = extract(item.text)
            if links:
                findings.extend(self._judge(item, links))
        return findings

    def _judge(self, item: TextItem, links: list[Link]) -> list[Finding]:
        assert self._lookalikes is not None
        # (label, what) -> [severity, score, explanation, spans]
        found: dict[tuple[str, str], tuple[Severity, float, str, list[Span]]] = {}

        def add(label: str, key: str, severity: Severity, score: float, why: str,
                link: Link) -> None:
            span = Span(link.start, link.end, link.text)
            if (label, key) in found:
                found[(label, key)][3].append(span)
            else:
                found[(label, key)] = (severity, score, why, [span])

        for link in links:
            ioc = self._ioc(link)
            if ioc is not None:
                add("link.ioc", ioc[0], *ioc[1:], link)
            if link.kind not in ("url", "domain") or link.host.ip:
                continue
            host = link.host
            if host.unicode in self._shorteners or host.registrable in self._shorteners:
                if link.url is not None:  # a code after the host: a real shortened link
                    add("link.shortener", host.unicode, Severity.LOW, 0.5,
                        f"Shortened link ({host.unicode}): destination unknown: Amparo never "
                        "opens links, so where it leads cannot be checked here", link)
                continue
            verdict = self._lookalikes.judge(host)
            if verdict is not None:
                add("link.lookalike", host.ascii, Severity.HIGH, verdict.score,
                    f"'{host.unicode}' imitates {verdict.service}: it {verdict.how}. "
                    f"A page there may ask for a {verdict.service} password", link)
        return [self.finding(item, label, sev, score, spans, why)
                for (label, _), (sev, score, why, spans) in found.items()]

    def _ioc(self, link: Link) -> tuple[str, Severity, float, str] | None:
        """(what matched, severity, score, explanation) when the link is a listed indicator."""
        index, host = self._index, link.host
        if not len(index):
            return None
        match = None
        if link.email is not None:
            match = index.email(link.email)
            what = f"e-mail address '{link.email}'"
        if match is None and link.url is not None:
            match = index.url(link.url)
            what = f"link '{link.text}'"
        if match is None:
            match = index.ip(host.ascii) if host.ip else index.domain(host.ascii)
            if match is not None and link.email is not None:
                what = f"e-mail address '{link.email}' is at '{match[0]}', which"
            elif match is not None and match[0] != host.ascii:
                what = f"domain '{host.unicode}' is under '{match[0]}', which"
            else:
                what = f"{'IP address' if host.ip else 'domain'} '{host.unicode}'"
        if match is None:
            return None
        value, listings = match
        return value, *self._ioc_words(what, listings)

    @staticmethod
    def _ioc_words(what: str, listings: tuple[Listing, ...]) -> tuple[Severity, float, str]:
        spyware = any(listing.spyware for listing in listings)
        # the most recent spyware listing (collections list their reports oldest first)
        first = max(reversed(listings), key=lambda item: item.spyware)
        more = len({(x.collection, x.source) for x in listings}) - 1
        also = f" (and {more} other list{'s' if more > 1 else ''})" if more else ""
        why = f"{what[0].upper()}{what[1:]} is listed in {first.describe()}{also}"
        if spyware:
            return Severity.CRITICAL, 0.99, (
                f"{why}: spyware infrastructure. Do not open it; the device that received it "
                "may need a forensic check (for example with MVT)")
        return Severity.HIGH, 0.95, f"{why}: a known phishing or malware address. Do not open it"
