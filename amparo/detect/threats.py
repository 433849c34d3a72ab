"""Threats against the defender: death, violence, rape, and threats against their family.

There is no labelled threat data set, so this detector is built from declarative, multilingual
patterns (resources/threats/<language>.yaml; see threats_rules.py for the template syntax),
matched on folded text so that "m4t4r" or "k i l l" still match, with spans mapped back to what
was written. How it decides, in order:

1. prefilter: a trie of trigger stems over a cheap squashed form of the raw text; almost every
   message stops here, before the (comparatively costly) fold;
2. every pattern of every language whose triggers occur is run on the folded text;
3. each match is judged in its sentence: a hyperbolic idiom over it ("me mata de rir") or a
   negation just before it cancels it; a reporting frame before it ("ele disse que …", "he wrote:
   '…'"), counter-speech in its sentence ("… é crime", "stop saying …") or talk about a game
   downgrade it to INFO with the reason in words;
4. findings are one per label per message, at the strongest match's severity and score; a
   location cue ("we know where you live") is HIGH on its own and CRITICAL next to violent words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from amparo.detect.base import Detector, DetectorContext, Finding, Severity, Span, TextItem
from amparo.detect.normalize import fold
from amparo.detect.threats_rules import (
    LANGUAGE_NAMES,
    LanguageRules,
    Pattern,
    load_language,
    rule_files,
    sha256,
    squash,
    trigger_regex,
)

KIND = {
    "threat.death": "Death threat",
    "threat.violence": "Threat of violence",
    "threat.sexual": "Threat of sexual violence",
    "threat.family": "Threat against the defender's family",
}
WHY = {
    "reported": "like reported speech (someone quoting or describing a threat, not making it)",
    "condemned": "like counter-speech that condemns the threat",
    "benign": "like talk about a game or a match, not about real harm",
}
SUPPRESSED_FACTOR = 0.25
REPORT_WINDOW = 120  # folded characters before a match searched for a reporting frame
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("„", "“"), ("„", "”"), ("‘", "’"))
_TATWEEL = "ـ"
# "I'll find you and kill you": the violence inside a death threat (or inside a threat to the
# family) is not a second finding.
_SUBSUMES = {"threat.violence": ("threat.death", "threat.family", "threat.sexual")}
_NEAR = re.compile(r"\s*(?:[^\W\d_]+\s+)?\Z")  # at most one word between negation and match


@dataclass(slots=True)
class _Match:
    pattern: Pattern
    start: int  # in folded text
    end: int
    status: str  # "threat", "reported", "condemned" or "benign"
    escalated: bool = False


class _Text:
    """One folded message with lazily computed sentence bounds and quote ranges."""

    def __init__(self, text: str) -> None:
        folded = fold(text)
        self.text: str
        self.index: Sequence[int]
        if _TATWEEL in folded.text:  # Arabic letter-stretching, which fold() keeps
            keep = [i for i, c in enumerate(folded.text) if c != _TATWEEL]
            self.text = "".join(folded.text[i] for i in keep)
            self.index = tuple(folded.index[i] for i in keep)
        else:
            self.text, self.index = folded.text, folded.index
        self._ends: list[int] | None = None
        self._quotes: list[tuple[int, int]] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        if self._ends is None:
            self._ends = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        i = bisect.bisect_right(self._ends, start)
        first = self._ends[i - 1] if i else 0
        j = bisect.bisect_left(self._ends, end)
        last = self._ends[j] if j < len(self._ends) else len(self.text)
        return first, last

    def quote(self, start: int, end: int) -> tuple[int, int] | None:
        """(opening, closing) positions of a quotation enclosing [start, end), if any."""
        if self._quotes is None:
            self._quotes = []
            t = self.text
            straight = [i for i, c in enumerate(t) if c == '"']
            self._quotes.extend(zip(straight[0::2], straight[1::2], strict=False))
            for open_, close in _QUOTE_PAIRS:
                pos = t.find(open_)
                while pos >= 0:
                    stop = t.find(close, pos + 1)
                    if stop < 0:
                        break
                    self._quotes.append((pos, stop))
                    pos = t.find(open_, stop + 1)
        for a, b in self._quotes:
            if a < start and end <= b:
                return a, b
        return None


class ThreatDetector(Detector):
    name: ClassVar[str] = "threats"
    version: ClassVar[str] = "1.0.0"
    labels: ClassVar[tuple[str, ...]] = tuple(KIND)

    def __init__(self) -> None:
        self._rules: list[LanguageRules] = []
        self._triggers: list[re.Pattern[str]] = []
        self._any: re.Pattern[str] | None = None
        self._files: dict[str, str] = {}
        self._reported: list[re.Pattern[str]] = []
        self._condemnation: list[re.Pattern[str]] = []
        self._benign: list[re.Pattern[str]] = []

    def load(self, context: DetectorContext) -> None:
        if self._any is not None:
            return
        files = rule_files()
        self._rules = [load_language(path) for path in files]
        self._files = {path.name: sha256(path) for path in files}
        self._triggers = [trigger_regex(list(r.triggers)) for r in self._rules]
        self._any = trigger_regex([t for r in self._rules for t in r.triggers])
        # A threat may be reported or condemned in another language than its own.
        self._reported = [r.reported for r in self._rules if r.reported]
        self._condemnation = [r.condemnation for r in self._rules if r.condemnation]
        self._benign = [r.benign for r in self._rules if r.benign]

    def artefacts(self) -> dict[str, str]:
        return dict(self._files)

    @property
    def rules(self) -> tuple[LanguageRules, ...]:
        return tuple(self._rules)

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        if self._any is None:
            raise RuntimeError("ThreatDetector.load() was not called")
        findings: list[Finding] = []
        for item in batch:
            if not item.text:
                continue
            squashed = squash(item.text)
            if not self._any.search(squashed):
                continue
            languages = [rules for rules, trig in zip(self._rules, self._triggers, strict=True)
                         if trig.search(squashed)]
            if languages:
                findings.extend(self._detect_one(item, languages))
        return findings

    # --- one message ---------------------------------------------------------------------

    def _detect_one(self, item: TextItem, languages: list[LanguageRules]) -> list[Finding]:
        text = _Text(item.text)
        matches: list[_Match] = []
        for rules in languages:
            idioms: list[tuple[int, int]] | None = None
            for pattern in rules.patterns:
                for m in pattern.regex.finditer(text.text):
                    start, end = m.span()
                    if start == end:
                        continue
                    if rules.idioms is not None:
                        if idioms is None:
                            idioms = [x.span() for x in rules.idioms.finditer(text.text)]
                        if any(a < end and start < b for a, b in idioms):
                            continue
                    if pattern.negatable and self._negated(rules, text.text, start, end):
                        continue
                    matches.append(_Match(pattern, start, end, self._status(text, start, end)))
        if not matches:
            return []
        matches = self._dedupe(matches, item.language)
        self._escalate(matches, text, languages)
        return self._findings(item, text, matches)

    @staticmethod
    def _negated(rules: LanguageRules, folded: str, start: int, end: int) -> bool:
        if rules.negation is None:
            return False
        before = folded[max(0, start - 24):start]
        for m in rules.negation.finditer(before):
            if _NEAR.match(before, m.end()):
                return True
        return rules.negation.search(folded, start, end) is not None

    def _status(self, text: _Text, start: int, end: int) -> str:
        folded = text.text
        quoted = text.quote(start, end)
        if quoted is not None:
            a, b = quoted
            before = folded[max(0, a - REPORT_WINDOW):a]
            after = folded[b:b + 40]
            if any(r.search(before) or r.search(after) for r in self._reported):
                return "reported"
            if any(c.search(folded) for c in self._condemnation):
                return "condemned"
        s_start, s_end = text.sentence(start, end)
        sentence = folded[s_start:s_end]
        if any(c.search(sentence) for c in self._condemnation):
            return "condemned"
        before = folded[max(s_start, start - REPORT_WINDOW):start]
        if any(r.search(before) for r in self._reported):
            return "reported"
        if any(b.search(sentence) for b in self._benign):
            return "benign"
        return "threat"

    @staticmethod
    def _dedupe(matches: list[_Match], language: str | None) -> list[_Match]:
        """Per label, drop matches overlapping a stronger one (the same words matched by two
        languages' rules or by two patterns); the message's own language wins ties."""
        matches.sort(key=lambda m: (m.status != "threat", m.pattern.language != language,
                                    -m.pattern.score, m.start))
        kept: list[_Match] = []
        for m in matches:
            if not any(k.pattern.label in _SUBSUMES.get(m.pattern.label, ())
                       or k.pattern.label == m.pattern.label
                       for k in kept if k.start < m.end and m.start < k.end
                       and (k.status == "threat" or m.status != "threat")):
                kept.append(m)
        return kept

    @staticmethod
    def _escalate(matches: list[_Match], text: _Text, languages: list[LanguageRules]) -> None:
        cues = [m for m in matches if m.pattern.escalate and m.status == "threat"]
        if not cues:
            return
        violent_match = any(not m.pattern.escalate and m.status == "threat" for m in matches)
        for cue in cues:
            if violent_match:
                cue.escalated = True
                continue
            for rules in languages:
                if rules.violent is None:
                    continue
                for v in rules.violent.finditer(text.text):
                    if not (cue.start < v.end() and v.start() < cue.end):
                        cue.escalated = True
                        break

    def _findings(self, item: TextItem, text: _Text, matches: list[_Match]) -> list[Finding]:
        by_label: dict[str, list[_Match]] = {}
        for m in matches:
            by_label.setdefault(m.pattern.label, []).append(m)
        out: list[Finding] = []
        for label, group in by_label.items():
            threats = [m for m in group if m.status == "threat"]
            if threats:
                best = max(threats, key=lambda m: (self._severity(m), m.pattern.score))
                severity = max(self._severity(m) for m in threats)
                score = min(0.99, best.pattern.score + 0.03 * (len(threats) - 1))
                shown = threats
            else:
                best = max(group, key=lambda m: m.pattern.score)
                severity = Severity.INFO
                score = best.pattern.score * SUPPRESSED_FACTOR
                shown = [best]
            spans = []
            for m in sorted(shown, key=lambda m: m.start):
                a, b = text.span(m.start, m.end)
                spans.append(Span(a, b, item.text[a:b]))
            out.append(self.finding(item, label, severity, score, spans,
                                    self._explain(item, text, best, len(shown) - 1)))
        return out

    @staticmethod
    def _severity(m: _Match) -> Severity:
        return Severity.CRITICAL if m.escalated else m.pattern.severity

    @staticmethod
    def _explain(item: TextItem, text: _Text, m: _Match, others: int) -> str:
        p = m.pattern
        a, b = text.span(m.start, m.end)
        language = LANGUAGE_NAMES.get(p.language, p.language)
        quoted = item.text[a:b]
        if m.status != "threat":
            return (f"Possible {KIND[p.label][0].lower()}{KIND[p.label][1:]} in {language}: "
                    f"'{quoted}' — {p.means}; but it looks {WHY[m.status]}, so it is not "
                    f"counted as a threat by the author.")
        text_ = f"{KIND[p.label]} in {language}: '{quoted}' — {p.means}."
        if m.escalated:
            text_ += (" Together with violent words in the same message, knowing where the "
                      "defender is makes this critical.")
        if others:
            text_ += f" ({others} more threatening phrase{'s' if others > 1 else ''} "
            text_ += "in the same message.)"
        return text_
