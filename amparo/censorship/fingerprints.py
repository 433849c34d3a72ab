"""OONI's blockpage fingerprints (copied from ooni/backend, BSD-3-Clause; see NOTICE).

A fingerprint is a pattern a censor's blockpage or DNS answer is known to carry. A match turns
an anomaly into confirmed blocking. The lists live in `data/` and are read once, offline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Fingerprint:
    name: str
    location: str  # "dns", "body" or "header.<name>"
    pattern: str
    kind: str  # full, prefix, contains, regexp
    countries: tuple[str, ...]
    regex: re.Pattern[str] | None = None

    def matches(self, value: str) -> bool:
        if self.kind == "full":
            return value == self.pattern
        if self.kind == "prefix":
            return value.startswith(self.pattern)
        if self.kind == "contains":
            return self.pattern in value
        return self.regex is not None and self.regex.search(value) is not None


def _load(name: str) -> list[Fingerprint]:
    text = resources.files("amparo.censorship").joinpath("data", name).read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(text)
    prints = []
    for row in rows:
        kind = row["pattern_type"]
        regex = None
        if kind == "regexp":
            try:
                regex = re.compile(row["pattern"])
            except re.error:  # a pattern Python's engine cannot read never matches
                regex = None
        countries = tuple(c.strip() for c in (row.get("expected_countries") or "").split(",")
                          if c.strip())
        prints.append(Fingerprint(row["name"], row["location_found"], row["pattern"], kind,
                                  countries, regex))
    return prints


@cache
def dns_fingerprints() -> dict[str, Fingerprint]:
    """DNS fingerprints by the address a censor's resolver answers with."""
    return {fp.pattern: fp for fp in _load("fingerprints_dns.json") if fp.kind == "full"}


@cache
def http_fingerprints() -> tuple[list[Fingerprint], dict[str, list[Fingerprint]]]:
    """HTTP fingerprints: those on the body, and those on each (lower-case) header."""
    body: list[Fingerprint] = []
    headers: dict[str, list[Fingerprint]] = {}
    for fp in _load("fingerprints_http.json"):
        if fp.location == "body":
            body.append(fp)
        elif fp.location.startswith("header."):
            headers.setdefault(fp.location.removeprefix("header.").lower(), []).append(fp)
    return body, headers


def match_dns(addresses: list[str]) -> Fingerprint | None:
    table = dns_fingerprints()
    return next((table[a] for a in addresses if a in table), None)


def match_http(body: str | None, headers: dict[str, str]) -> Fingerprint | None:
    body_prints, header_prints = http_fingerprints()
    for name, value in headers.items():
        for fp in header_prints.get(name.lower(), ()):
            if fp.matches(value):
                return fp
    if body:
        for fp in body_prints:
            if fp.matches(body):
                return fp
    return None
