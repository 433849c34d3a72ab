"""Street addresses in pt/es/fr/en, found on `plain()` text (lower case, no accents, same
offsets as the original).

A street word followed by a name and a number is common in ordinary sentences ("a rua estava
cheia 3 vezes"), so a match needs at least one cue besides the shape: a house-number marker
("nº", "#", "número"), a capitalised street name in the original text, a residence word
("mora", "lives", "domicilio"...) or a postal code nearby. Colombian grid addresses
("Cra 7 # 45-12") are specific enough alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from amparo.detect.doxing_text import word_pattern

_WORD = r"[^\W\d_][\w'’-]*"
_NUMBER = (r"(?<![\d][:/.,-])(?P<num>[1-9]\d?\.\d{3}|[1-9]\d{0,4})(?:-?[a-z](?!\w))?"
           r"(?![\w/:]|[.,]\d)")


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class AddressMatch:
    start: int
    end: int
    score: float
    cues: tuple[str, ...]


class AddressFinder:
    def __init__(self, data: dict[str, Any]) -> None:
        need_dot = set(data["street_types_need_dot"])
        plain_types = [t for t in data["street_types_before"] if t not in need_dot]
        before = f"{_alternation(plain_types)}|(?:{_alternation(sorted(need_dot))})(?=[./])"
        after = _alternation(data["street_types_after"])
        number_first = _alternation(data["street_types_number_first"])
        grid = _alternation(data["grid_types"])
        markers = _alternation([m for m in data["number_markers"] if m != "#"])
        marker = rf"(?P<marker>(?:(?:{markers})[.:]?|#)\s*)"
        self._type_first = re.compile(
            rf"(?<![\w-])(?P<type>{before})(?:[./][ \t]*|[ \t]+)"
            rf"(?P<name>(?:{_WORD}\.?[ \t]+){{0,5}}?{_WORD}\.?)"
            rf"\s*,?\s*{marker}?{_NUMBER}")
        self._number_first = re.compile(
            rf"(?<!\w){_NUMBER}(?:\s?(?:bis|ter))?\s*,?\s+(?P<type>{number_first})\.?"
            rf"[ \t]+(?P<name>{_WORD}(?:[ \t]+{_WORD}){{0,3}})")
        self._english = re.compile(
            rf"(?<![\w:/.,-])(?P<num>[1-9]\d{{0,4}})(?:[a-z](?!\w))?[ \t]+"
            rf"(?P<name>(?:{_WORD}\.?[ \t]+){{1,4}}?)"
            rf"(?P<type>{after})\b\.?")
        self._grid = re.compile(
            rf"(?<!\w)(?:{grid})\.?\s*\d{{1,3}}\s?(?:[a-z]\s?)?(?:bis\s?)?(?:[a-z]\s?)?\s*"
            rf"(?:#|n[o.]\.?|no\.?|nro\.?|numero)\s*\d{{1,3}}\s?[a-z]?\s*-\s*\d{{1,3}}(?!\w)")
        self._cue = re.compile(
            rf"(?<!\w)(?:{before}|{after}|{grid})(?:[./]|\s|$)")
        self.residence = word_pattern(data["residence_words"])
        self._postal = [re.compile(p) for p in data["postal_codes"]]

    def _postal_near(self, low: str, start: int, end: int) -> bool:
        window = low[max(0, start - 40):end + 80]
        return any(p.search(window) for p in self._postal)

    def find(self, text: str, low: str) -> list[AddressMatch]:
        if not self._cue.search(low):
            return []
        found: list[AddressMatch] = []
        for m in self._grid.finditer(low):
            cues = ["grid"]
            if self._postal_near(low, m.start(), m.end()):
                cues.append("postal code")
            found.append(AddressMatch(m.start(), m.end(), 0.9, tuple(cues)))
        for pattern in (self._number_first, self._type_first, self._english):
            for m in pattern.finditer(low):
                if any(a.start < m.end() and m.start() < a.end for a in found):
                    continue
                cues = []
                if m.groupdict().get("marker"):
                    cues.append("number marker")
                name = text[m.start("name"):m.end("name")]
                if any(w[:1].isupper() for w in name.split()):
                    cues.append("capitalised name")
                window = low[max(0, m.start() - 60):m.end() + 60]
                if self.residence.search(window):
                    cues.append("residence word")
                if self._postal_near(low, m.start(), m.end()):
                    cues.append("postal code")
                if not cues or (cues == ["capitalised name"]
                                and re.fullmatch(r"(?:19|20)\d\d", m.group("num"))):
                    continue  # no cue, or "2064 Supreme Court": a year, not a house number
                end = m.end()
                while end > m.start() and not low[end - 1].isalnum():
                    end -= 1
                found.append(AddressMatch(m.start(), end, min(0.95, 0.6 + 0.1 * len(cues)),
                                          tuple(cues)))
        return found
