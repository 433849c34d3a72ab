"""Matching the defender's own watchlist (home address, phone, relatives' names, school...).

Compiled once in `load()`:
- phone numbers, identity numbers, plates and emails become regular expressions over the
  original text that tolerate any grouping of the digits ("(91) 98765-4321", "91987654321",
  "+55 91 9 8765 4321") and the usual email disguises ("maria [at] gmail [dot] com");
- names, addresses, schools and workplaces become lists of words, matched against the folded
  text (case, accents, leetspeak, spaced letters, homoglyphs undone by `fold()`), with
  abbreviations expanded ("Av." = "Avenida"), connector words skipped ("das", "de la"), small
  typos tolerated (one edit per five letters; none in numbers), names in any order, and an
  address reduced to its street and house number.

A cheap pre-screen runs first: a message is folded and matched only when its letter skeleton
contains a word of some watchlist item, or its digits contain a number from the watchlist.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers

from amparo.detect.base import WatchItem
from amparo.detect.doxing_text import edit_budget, skeleton
from amparo.detect.normalize import Folded, fold, within_edits

_SEP = r"[\s.\-()/]{0,3}"
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_TOKEN = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)|[^\W_]+")
_PARENS = re.compile(r"\([^)]*\)")

KIND_WORDS = {
    "address": "address", "phone": "phone number", "email": "email address",
    "name": "name", "relative": "relative's name", "school": "school",
    "workplace": "workplace", "vehicle": "vehicle", "id_number": "identity document number",
    "other": "private detail",
}


@dataclass(frozen=True, slots=True)
class WatchHit:
    kind: str
    start: int
    end: int
    score: float
    how: str


@dataclass(frozen=True, slots=True)
class _CodeItem:
    kind: str
    key: str  # a part of the value's letters and digits that any match contains
    patterns: tuple[tuple[re.Pattern[str], float, str], ...]


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    budget: int
    optional: bool


@dataclass(frozen=True, slots=True)
class _WordItem:
    kind: str
    alternatives: tuple[tuple[tuple[_Word, ...], bool, int, float, str], ...]
    # each: (words, ordered, slack, score, how)


def _digits_regex(digits: str) -> str:
    return _SEP.join(re.escape(c) for c in digits)


class Watchlist:
    def __init__(self, items: Sequence[WatchItem], data: dict[str, Any],
                 region: str | None) -> None:
        self.abbreviations: dict[str, str] = {str(k): str(v)
                                              for k, v in data["abbreviations"].items()}
        self.stopwords = frozenset(str(w) for w in data["stopwords"])
        self.weak = frozenset(str(w) for w in data["weak_words"])
        self.street_types = frozenset(str(w) for w in data["street_types"])
        self.region = (region or "ZZ").upper()
        self.codes: list[_CodeItem] = []
        self.words: list[_WordItem] = []
        self._by_key: dict[str, set[int]] = {}
        for item in items:
            kind, value = item.kind.strip().lower(), item.value.strip()
            if not value:
                continue
            compact = _NON_ALNUM.sub("", value).upper()
            digit_share = sum(c.isdigit() for c in compact) / max(1, len(compact))
            if kind == "phone":
                self._add_phone(kind, value)
            elif kind == "email" or (kind == "other" and "@" in value):
                self._add_email(kind, value)
            elif kind in {"id_number", "vehicle", "other"} and len(compact) >= 5 and (
                    digit_share >= 0.5 or (kind == "vehicle" and len(compact) <= 8
                                           and digit_share > 0)):
                self._add_code(kind, compact)
            else:
                word_item = self._word_item(kind, value)
                if word_item is not None:
                    for key in self._screen_keys(word_item):
                        self._by_key.setdefault(key, set()).add(len(self.words))
                    self.words.append(word_item)
        self.email_codes = [c for c in self.codes if c.kind == "email" or not any(
            ch.isdigit() for ch in c.key)]
        letters = [k for k in self._by_key if not k.isdigit()]
        numbers = [k for k in self._by_key if k.isdigit()]
        self._letters = (re.compile("|".join(sorted(map(re.escape, letters), key=len,
                                                    reverse=True))) if letters else None)
        self._numbers = (re.compile(r"(?<!\d)(?:" + "|".join(sorted(numbers, key=len, reverse=True))
                                    + r")(?!\d)") if numbers else None)

    # -- compiling ----------------------------------------------------------------------------
    def _add_phone(self, kind: str, value: str) -> None:
        digits = re.sub(r"\D", "", value)
        try:
            number = phonenumbers.parse(value, self.region)
            nsn = phonenumbers.national_significant_number(number)
            cc = str(number.country_code)
            ndc = phonenumbers.length_of_national_destination_code(number)
        except phonenumbers.NumberParseException:
            nsn, cc, ndc = digits, "", 0
        if len(nsn) < 6:
            return
        prefix = rf"(?:(?:\+|00)?\s*{cc}{_SEP})?" if cc else ""
        full = re.compile(rf"(?<!\d){prefix}(?:\(?0(?:\d\d)?\)?{_SEP})?{_digits_regex(nsn)}(?!\d)")
        patterns = [(full, 1.0, "")]
        subscriber = nsn[ndc:] if ndc else ""
        if len(subscriber) >= 7:
            local = re.compile(r"(?<!\d)(?<!\d[\s.\-)])(?<!\d[\s.\-)][\s(])"
                               + _digits_regex(subscriber) + r"(?!\d)")
            patterns.append((local, 0.8, " (the local part, without the area code)"))
        self.codes.append(_CodeItem(kind, nsn[-6:], tuple(patterns)))

    def _add_email(self, kind: str, value: str) -> None:
        local, _, domain = value.lower().partition("@")
        if not local or "." not in domain:
            return
        at = r"(?:\s*(?:@|\[at\]|\(at\)|\{at\}|<at>)\s*|\s+(?:at|arroba)\s+)"
        dot = r"(?:\s*(?:\.|\[dot\]|\(dot\)|\{dot\}|\[\.\])\s*|\s+(?:dot|ponto|punto|point)\s+)"
        body = re.escape(local) + at + dot.join(re.escape(p) for p in domain.split("."))
        pattern = re.compile(r"(?<![\w.+-])" + body + r"(?![\w-])", re.IGNORECASE)
        self.codes.append(_CodeItem(kind, _NON_ALNUM.sub("", local).upper(),
                                    ((pattern, 1.0, ""),)))

    def _add_code(self, kind: str, compact: str) -> None:
        body = _SEP.join(re.escape(c) for c in compact)
        pattern = re.compile(r"(?<![0-9A-Za-z])" + body + r"(?![0-9A-Za-z])", re.IGNORECASE)
        self.codes.append(_CodeItem(kind, compact, ((pattern, 1.0, ""),)))

    def words_of(self, text: str) -> list[str]:
        out = []
        for m in _TOKEN.finditer(fold(text).text):
            w = m.group().replace(".", "")
            w = self.abbreviations.get(w, w)
            if w not in self.stopwords:
                out.append(w)
        return out

    def _word_item(self, kind: str, value: str) -> _WordItem | None:
        value = _PARENS.sub(" ", value) if kind in {"name", "relative"} else value
        if kind == "address":
            return self._address_item(kind, value)
        words = self.words_of(value)
        if not words:
            return None
        if kind in {"name", "relative"}:
            full = tuple(_Word(w, edit_budget(w), False) for w in words)
            alternatives = [(full, False, 1, 1.0, "")]
            if len(words) >= 3:
                exact = (_Word(words[0], 0, False), _Word(words[-1], 0, False))
                alternatives.append((exact, False, 1, 0.85,
                                     " (first and last name)"))
            return _WordItem(kind, tuple(alternatives))
        ws = tuple(_Word(w, edit_budget(w), False) for w in words)
        ordered = sum(w.isdigit() for w in words) >= 2
        alternatives = [(ws, ordered, 2, 1.0, "")]
        strong = tuple(w for w in ws if w.text not in self.weak)
        if 2 <= len(strong) < len(ws):
            # "Escola Estadual Paes de Carvalho" said as "a Paes de Carvalho": the distinctive
            # words alone, but then in their order and side by side.
            alternatives.append((strong, True, 0, 0.9, " (its distinctive words)"))
        return _WordItem(kind, tuple(alternatives))

    def _address_item(self, kind: str, value: str) -> _WordItem | None:
        segments = [self.words_of(s) for s in value.split(",")]
        segments = [s for s in segments if s]
        if not segments:
            return None
        street = segments[0]
        if not any(w.isdigit() for w in street) and len(segments) > 1:
            number = next((w for w in segments[1] if w[:1].isdigit()), None)
            if number is not None and segments[1].index(number) <= 1:
                street = [*street, number]
        has_number = any(w[:1].isdigit() for w in street)
        rest = [w for w in street if w not in self.street_types]
        words = tuple(
            _Word(w, edit_budget(w),
                  w in self.street_types and (has_number or len(rest) >= 2) and bool(rest))
            for w in street)
        ordered = sum(w[:1].isdigit() for w in street) >= 2
        return _WordItem(kind, ((words, ordered, 2, 1.0, " (street and house number)"),))

    def _screen_keys(self, item: _WordItem) -> set[str]:
        keys: set[str] = set()
        for words, *_ in item.alternatives:
            alpha = [w.text for w in words if not w.text[:1].isdigit()]
            strong = [w for w in alpha if w not in self.weak and w not in self.street_types]
            for w in strong or alpha:
                sk = skeleton(w)
                if len(sk) >= 3 or not strong:
                    keys.add(sk)
                if len(words) == 1 and len(sk) >= 8:
                    # A one-word item ("Greenpeace") has no other word to find it by when it is
                    # misspelt: one typo leaves one half intact.
                    keys.update((sk[: len(sk) // 2], sk[len(sk) // 2:]))
            keys.update(w.text for w in words if w.text.isdigit())
        return keys

    # -- matching -----------------------------------------------------------------------------
    def match(self, text: str, has_digit: bool) -> list[WatchHit]:
        hits: list[WatchHit] = []
        codes = self.codes if has_digit else self.email_codes
        if codes:
            compact = _NON_ALNUM.sub("", text).upper()
            for code in codes:
                if code.key not in compact:
                    continue
                for pattern, score, how in code.patterns:
                    m = pattern.search(text)
                    if m:
                        hits.append(WatchHit(code.kind, m.start(), m.end(), score, how))
                        break
        selected: set[int] = set()
        if self._letters is not None:
            for m in self._letters.finditer(skeleton(text)):
                selected |= self._by_key[m.group()]
        if has_digit and self._numbers is not None:
            for m in self._numbers.finditer(text):
                selected |= self._by_key[m.group()]
        if selected:
            hits.extend(self._match_words(fold(text), sorted(selected)))
        # A name found inside a matched email address (or any hit inside another) is one hit.
        return [h for h in hits if not any(
            o is not h and o.start <= h.start and h.end <= o.end and (o.end - o.start)
            > (h.end - h.start) for o in hits)]

    def _tokens(self, folded: Folded) -> list[tuple[str, int, int]]:
        out = []
        for m in _TOKEN.finditer(folded.text):
            w = m.group().replace(".", "")
            w = self.abbreviations.get(w, w)
            if w not in self.stopwords:
                out.append((w, m.start(), m.end()))
        return out

    def _match_words(self, folded: Folded, selected: list[int]) -> list[WatchHit]:
        tokens = self._tokens(folded)
        hits = []
        for item in (self.words[i] for i in selected):
            for words, ordered, slack, score, how in item.alternatives:
                found = _find(words, tokens, ordered, slack)
                if found is not None:
                    first, last, exact = found
                    start, end = folded.span(tokens[first][1], tokens[last][2])
                    fuzzy = "" if exact else ", allowing for small misspellings"
                    hits.append(WatchHit(item.kind, start, end, score * (1.0 if exact else 0.9),
                                         how + fuzzy))
                    break
        return hits


def _same(word: _Word, token: str) -> bool:
    if word.text == token:
        return True
    if not word.budget or abs(len(token) - len(word.text)) > word.budget:
        return False
    if word.budget == 1 and token[:2] != word.text[:2] and token[-2:] != word.text[-2:]:
        return False
    return within_edits(word.text, token, word.budget)


def _find(words: tuple[_Word, ...], tokens: list[tuple[str, int, int]], ordered: bool,
          slack: int) -> tuple[int, int, bool] | None:
    """(first token, last token, all exact) of the tightest placement of `words`, or None."""
    required = [w for w in words if not w.optional]
    if not required:
        return None
    candidates: list[list[tuple[int, int, bool]]] = []
    for w in required:
        cands = []
        for j, (tok, _, _) in enumerate(tokens):
            if _same(w, tok):
                cands.append((j, j, tok == w.text))
            elif j + 1 < len(tokens) and not w.text.isdigit():
                joined = tok + tokens[j + 1][0]
                if _same(w, joined):
                    cands.append((j, j + 1, joined == w.text))
        if not cands:
            return None
        candidates.append(cands)
    best: tuple[int, int, bool] | None = None
    limit = len(required) + slack
    for combo in itertools.islice(itertools.product(*candidates), 5000):
        used = sorted(combo)
        if any(a[1] >= b[0] for a, b in itertools.pairwise(used)):
            continue
        if ordered and list(combo) != used:
            continue
        first, last = used[0][0], used[-1][1]
        width = last - first + 1 - sum(b - a for a, b, _ in used)
        if width > limit:
            continue
        exact = all(e for _, _, e in used)
        if best is None or (last - first) < (best[1] - best[0]):
            best = (first, last, exact)
    if best is None:
        return None
    first, last, exact = best
    # Widen the span over optional words (a street type) right next to it.
    for w in words:
        if w.optional and first > 0 and _same(w, tokens[first - 1][0]):
            first -= 1
    return first, last, exact
