"""Declarative cues for the abuse detector: lexicons read from resources/abuse/lexicon.yaml
and the small rules that use them (directed insults, dehumanisation frames, counter-speech,
reclaimed self-reference, profanity that attacks no one).

Everything here works on `fold()`ed text split into words, so one entry covers "vagabunda",
"v4g4bund4", "v a g a b u n d a" and "vagabuuunda". Entries of several words match
consecutive words. The rules only *describe* a message (`Cues`); `abuse.py` decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from amparo.detect.normalize import Folded, fold

LANGUAGES = ("en", "pt", "es", "fr", "ar")
CATEGORIES = ("profanity", "insult", "sexual", "slur", "dehumanising", "group_cue", "copula",
              "address", "identity", "self_ref", "positive", "counter", "derogation")
_FUZZY = ("insult", "sexual")  # categories where misspellings are looked for (not slurs:
# "marica" would match "maria")
# Function words of one language are ordinary words in another ("so", "ta", "te"): when the
# message's language is known, only its own function-word lists are used.
_OWN_LANGUAGE_ONLY = ("address", "copula", "group_cue", "self_ref", "positive", "counter")
# Categories that can make a finding on their own: a message with none of their words (and a low
# model score) needs no closer look.
_TRIGGERS = ("insult", "sexual", "slur", "dehumanising", "profanity", "derogation")
_MAX_WORDS = 4  # longest entry, in words
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_AR_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ف", "ل")
_MENTION = re.compile(r"@\w+")

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    start: int  # word positions [start, end)
    end: int
    fuzzy: bool = False


@dataclass(slots=True)
class Cues:
    """What the lexicon rules found in one message (word positions into `words`)."""

    words: list[tuple[int, int]]  # (start, end) of each word in the folded text
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    # insult/sexual words aimed at someone (the range includes the address word: "sua vagabunda")
    directed: list[Hit] = field(default_factory=list)
    dehumanising: list[tuple[int, int]] = field(default_factory=list)  # word ranges of frames
    counter: bool = False
    self_reference: bool = False
    profanity_only: bool = False

    def has(self, category: str) -> bool:
        return bool(self.hits.get(category))


def _variants(word: str) -> set[str]:
    """Misspellings of `word` keeping its first letter: one letter dropped (words of 6+
    letters) or two neighbours swapped (5+)."""
    out: set[str] = set()
    if len(word) >= 6:
        out.update(word[:i] + word[i + 1:] for i in range(1, len(word)))
    if len(word) >= 5:
        out.update(word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(1, len(word) - 1))
    out.discard(word)
    return out


def _phrases(entries: Iterable[Any]) -> set[Phrase]:
    out: set[Phrase] = set()
    for entry in entries:
        words = tuple(m.group() for m in _WORD.finditer(fold(str(entry)).text))
        if words:
            out.add(words[:_MAX_WORDS])
    return out


class Lexicon:
    """Per-language phrase sets; `for_language(None)` is the union minus ambiguous words."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ambiguous = _phrases(data.get("ambiguous", []))
        exclude = {p[0] for p in _phrases(data.get("fuzzy_exclude", []))}
        self._sets: dict[str | None, dict[Phrase, frozenset[str]]] = {}
        per_lang: dict[str, dict[str, set[Phrase]]] = {}
        for code in LANGUAGES:
            own = {cat: _phrases(data.get(code, {}).get(cat, [])) for cat in CATEGORIES}
            own["derogation"] = _phrases(data.get("derogation", {}).get(code, []))
            per_lang[code] = own
        union: dict[str, set[Phrase]] = {cat: set() for cat in CATEGORIES}
        for own in per_lang.values():
            for cat, phrases in own.items():
                union[cat] |= phrases - ambiguous
        self._fuzzy: dict[str | None, dict[str, tuple[str, str]]] = {}
        self._triggers: dict[str | None, frozenset[str]] = {}
        langs: tuple[str | None, ...] = (*LANGUAGES, None)
        for lang in langs:
            cats = union if lang is None else {
                cat: per_lang[lang][cat] if cat in _OWN_LANGUAGE_ONLY
                else union[cat] | per_lang[lang][cat] for cat in CATEGORIES}
            index: dict[Phrase, set[str]] = {}
            for cat, phrases in cats.items():
                for phrase in phrases:
                    index.setdefault(phrase, set()).add(cat)
            self._sets[lang] = {p: frozenset(c) for p, c in index.items()}
            fuzzy: dict[str, tuple[str, str]] = {}
            known = {p[0] for p in index if len(p) == 1}
            for cat in _FUZZY:
                for phrase in cats[cat]:
                    if len(phrase) == 1:
                        for v in _variants(phrase[0]):
                            if v not in known and v not in exclude:
                                fuzzy.setdefault(v, (cat, phrase[0]))
            self._fuzzy[lang] = fuzzy
            # A phrase can only match if all its words are there: its longest word will do.
            triggers = {max(p, key=len) for cat in _TRIGGERS for p in cats[cat]} | set(fuzzy)
            triggers |= {prefix + w for w in triggers if "\u0600" <= w[0] <= "\u06ff"
                         for prefix in _AR_PREFIXES}
            self._triggers[lang] = frozenset(triggers)

    def _lang(self, language: str | None) -> str | None:
        return language if language in LANGUAGES else None

    def triggered(self, folded_text: str, language: str | None) -> bool:
        """Cheap prefilter: does the message hold any word that could make a finding?"""
        return not self._triggers[self._lang(language)].isdisjoint(_WORD.findall(folded_text))

    def cues(self, folded: Folded, language: str | None) -> Cues:
        lang = self._lang(language)
        index = self._sets[lang]
        fuzzy = self._fuzzy[lang]
        text = folded.text
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        words = [text[s:e] for s, e in spans]
        cues = Cues(spans)
        hits = cues.hits
        n = len(words)
        i = 0
        while i < n:
            step = 1
            for size in range(min(_MAX_WORDS, n - i), 0, -1):
                cats = index.get(tuple(words[i:i + size]))
                if cats is None and size == 1:
                    cats = self._single(words[i], index)
                if cats is not None:
                    for cat in cats:
                        hits.setdefault(cat, []).append(Hit(cat, i, i + size))
                    step = size  # "filho da puta" is one insult, not also "puta"
                    break
            else:
                guess = fuzzy.get(words[i])
                if guess is not None:
                    hits.setdefault(guess[0], []).append(Hit(guess[0], i, i + 1, fuzzy=True))
            i += step
        self._rules(cues, text, words)
        return cues

    @staticmethod
    def _single(word: str, index: dict[Phrase, frozenset[str]]) -> frozenset[str] | None:
        """Arabic words carry clitics ("بالعاهرة" = "with the whore"): try without them."""
        if "\u0600" <= word[0] <= "\u06ff":
            for prefix in _AR_PREFIXES:
                if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                    cats = index.get((word[len(prefix):],))
                    if cats is not None:
                        return cats
        return None

    @staticmethod
    def _rules(cues: Cues, text: str, words: list[str]) -> None:
        hits = cues.hits

        def positions(*cats: str) -> list[Hit]:
            return [h for cat in cats for h in hits.get(cat, [])]

        address = positions("address")
        cues.counter = bool(hits.get("counter"))
        # An insult aimed at someone: an address word up to 3 words before it ("sua ... vagabunda",
        # "you stupid bitch"), "you" right after it ("whore you are"), or the message opening
        # with it, after any @mentions ("idiota!", "@ana idiota").
        first_word = 0
        lead = _MENTION.match(text.lstrip())
        if lead is not None:
            first_word = len(_WORD.findall(text[:lead.end() + len(text) - len(text.lstrip())]))
        selves = positions("self_ref")
        for hit in positions("insult", "sexual"):
            if any(0 <= hit.start - s.end <= 2 for s in selves):
                continue  # about the writer themself: "eu sou feia", "I'm such an idiot"
            before = [a for a in address if a.end <= hit.start and hit.start - a.end <= 3]
            after = [a for a in address if 0 <= a.start - hit.end <= 1]
            if before or after or hit.start == first_word:
                start = before[-1].start if before else hit.start
                end = after[0].end if after and not before else hit.end
                cues.directed.append(Hit(hit.category, start, end, hit.fuzzy))
        # Dehumanisation: a group word ("these", "esses", an identity word) followed within five
        # words by a copula and a dehumanising noun ("these people are vermin"); in Arabic the
        # copula is usually absent ("هؤلاء اللاجئين حشرات").
        groups = positions("group_cue", "identity")
        copulas = positions("copula")
        for noun in positions("dehumanising"):
            for g in groups:
                if g.end <= noun.start and noun.start - g.end <= 5:
                    between = any(g.end <= c.start and c.end <= noun.start for c in copulas)
                    arabic = "\u0600" <= words[noun.start][0] <= "\u06ff"
                    if between or (arabic and noun.start - g.end <= 1):
                        cues.dehumanising.append((g.start, noun.end))
                        break
        # Reclaimed or proud self-reference: "I am a proud gay man", "sou travesti".
        for s in positions("self_ref"):
            if any(0 <= h.start - s.end <= 3 for h in positions("identity", "slur")):
                cues.self_reference = True
                break
        # Swearing that attacks no one: profanity, and no one addressed, no insult word that is
        # not itself a swear word ("merda" is both), no slur, no identity, no frame.
        swear = {(h.start, h.end) for h in hits.get("profanity", [])}
        serious = [h for h in positions("insult", "sexual", "slur", "derogation", "identity")
                   if (h.start, h.end) not in swear]
        cues.profanity_only = (bool(swear) and not address and not serious
                               and not cues.dehumanising and _MENTION.search(text) is None)
