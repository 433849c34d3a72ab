"""Abuse and harassment: insults, hate speech, sexualised harassment and (low-severity)
profanity, in English, Portuguese, Spanish, French and Arabic.

Two parts decide together, and every finding says which did what:
- a small linear model (hashed word and character n-grams of `fold()`ed text; one
  logistic regression per label, trained by scripts/train_abuse.py, see
  docs/model-card-abuse.md) scores `abuse.insult` and `abuse.hate`;
- declarative rules over lexicons in resources/abuse/lexicon.yaml catch what a linear model
  misses or gets wrong: insults aimed at the reader ("sua vagabunda"), dehumanisation frames
  ("these people are vermin"), identity slurs, implicit derogation phrases; and they lower
  the model's score for counter-speech ("chamar ela de vagabunda é crime"), proud or
  reclaimed self-reference ("I am a proud gay man") and swearing that attacks no one ("this
  fucking rain", reported as `abuse.profanity`, low severity).
`abuse.sexual` comes from sexualised slurs aimed at someone, or in a message the insult model
flags: no training set labels sexualised harassment in these languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from amparo.detect.abuse_lexicon import Cues, Hit, Lexicon
from amparo.detect.base import Detector, DetectorContext, Finding, Severity, Span, TextItem
from amparo.detect.normalize import Folded, fold
from amparo.digest import sha256_file

if TYPE_CHECKING:
    from amparo.detect.abuse_model import LinearModel

_HERE = Path(__file__).parent
MODEL_PATH = _HERE / "models" / "abuse.npz"  # with abuse.json beside it
LEXICON_PATH = _HERE / "resources" / "abuse" / "lexicon.yaml"

INSULT, HATE, SEXUAL, PROFANITY = "abuse.insult", "abuse.hate", "abuse.sexual", "abuse.profanity"
COUNTER_DAMP = 0.35  # counter-speech or reporting: "calling her a whore is disgusting"
SELF_DAMP = 0.3  # proud or reclaimed self-reference: "sou travesti e tenho orgulho"
PROFANITY_DAMP = 0.3  # swearing with no one addressed and no insult, slur or identity word
DIRECTED_SCORE = 0.85  # floor for an insult word aimed at the reader
DEHUMANISING_SCORE = 0.9
SLUR_SCORE = 0.8
DEROGATION_SCORE = 0.8
PROFANITY_SCORE = 0.9
HIGH = 0.85  # hate and sexual findings at or above this score are high severity


class AbuseDetector(Detector):
    name = "abuse"
    version = "1.0.0"
    labels = (INSULT, HATE, SEXUAL, PROFANITY)

    def __init__(self, model_path: Path | None = None, lexicon_path: Path | None = None) -> None:
        self._model_path = model_path or MODEL_PATH
        self._lexicon_path = lexicon_path or LEXICON_PATH
        self._model: LinearModel | None = None
        self._lexicon: Lexicon | None = None
        self._hashes: dict[str, str] = {}

    def load(self, context: DetectorContext) -> None:
        if self._model is not None:
            return
        # Imported here: NumPy/SciPy/scikit-learn cost half a second, and every CLI command
        # would pay it if the registry imported them.
        from amparo.detect.abuse_model import LinearModel

        self._model = LinearModel.load(self._model_path)
        self._lexicon = Lexicon(self._lexicon_path)
        self._hashes = {p.name: sha256_file(p)
                        for p in (*LinearModel.files(self._model_path), self._lexicon_path)}
        # Below this a model score cannot make a finding, even undamped.
        self._floor = min(min(t.values()) for t in self._model.thresholds.values())

    def artefacts(self) -> dict[str, str]:
        return dict(self._hashes)

    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        if self._model is None or self._lexicon is None:
            raise RuntimeError("AbuseDetector.load() must be called before detect()")
        folded = [fold(item.text) for item in batch]
        probs = self._model.predict([f.text for f in folded])
        ins_col, hate_col = self._model.labels.index(INSULT), self._model.labels.index(HATE)
        findings: list[Finding] = []
        for item, f, p in zip(batch, folded, probs, strict=True):
            lang = (item.language or "")[:2].lower() or None
            p_ins, p_hate = float(p[ins_col]), float(p[hate_col])
            if max(p_ins, p_hate) < self._floor and not self._lexicon.triggered(f.text, lang):
                continue
            findings.extend(self._decide(item, f, lang, p_ins, p_hate))
        return findings

    # -- the decision for one message -------------------------------------------------------

    def _decide(self, item: TextItem, f: Folded, lang: str | None,
                p_ins: float, p_hate: float) -> list[Finding]:
        assert self._model is not None and self._lexicon is not None
        cues = self._lexicon.cues(f, lang)
        t_ins, t_hate = self._model.threshold(INSULT, lang), self._model.threshold(HATE, lang)
        ins, hate, notes = p_ins, p_hate, []
        if cues.counter:
            ins, hate = ins * COUNTER_DAMP, hate * COUNTER_DAMP
            notes.append(f"lowered: counter-speech or reporting cue "
                         f"{self._quote(item, f, cues, cues.hits['counter'][0])}")
        if cues.self_reference:
            ins, hate = ins * SELF_DAMP, hate * SELF_DAMP
            notes.append("lowered: the writer speaks of their own identity")
        if cues.profanity_only:
            ins, hate = ins * PROFANITY_DAMP, hate * PROFANITY_DAMP
        rules_on = not cues.counter
        out: list[Finding] = []

        # Sexualised insults: a sexual slur aimed at someone, or in a message the model flags.
        directed = [h for h in cues.directed if rules_on]
        sexual = [h for h in directed if h.category == "sexual"]
        if not sexual and ins >= t_ins:
            sexual = list(cues.hits.get("sexual", []))
        if sexual:
            score = max(DIRECTED_SCORE, ins) if sexual[0] in directed else ins
            aimed = "aimed at the reader" if sexual[0] in directed else "in an insulting message"
            out.append(self._finding(
                item, f, cues, SEXUAL, score, sexual[:3],
                f"Sexualised insult {aimed}: {self._quote(item, f, cues, sexual[0])}"
                f" (model score {p_ins:.2f})", notes))
        # Insults.
        plain = [h for h in directed if h.category != "sexual"]
        if not out and plain:
            out.append(self._finding(
                item, f, cues, INSULT, max(DIRECTED_SCORE, ins), plain[:3],
                f"Insult aimed at the reader: {self._quote(item, f, cues, plain[0])}"
                f" (model score {p_ins:.2f})", notes))
        elif not out and ins >= t_ins:
            words = self._top_words(cues, f, INSULT)
            out.append(self._finding(
                item, f, cues, INSULT, ins, words,
                f"Insulting or demeaning language (model score {p_ins:.2f}, threshold "
                f"{t_ins:.2f}){self._weighed(item, f, cues, words)}", notes))
        # Hate.
        hate_finding = self._hate(item, f, cues, (ins, hate, p_hate), (t_ins, t_hate), notes,
                                  rules_on)
        if hate_finding is not None:
            out.append(hate_finding)
        # Profanity alone.
        if not out and cues.hits.get("profanity"):
            swear = cues.hits["profanity"]
            why = ""
            if cues.profanity_only and p_ins >= t_ins:
                why = (f"; the insult model's score {p_ins:.2f} was lowered because no one is "
                       "addressed or named")
            out.append(self._finding(
                item, f, cues, PROFANITY, PROFANITY_SCORE, swear[:3],
                f"Profanity that attacks no one: {self._quote(item, f, cues, swear[0])} "
                f"(low severity on its own){why}", []))
        return out

    def _hate(self, item: TextItem, f: Folded, cues: Cues, scores: tuple[float, float, float],
              thresholds: tuple[float, float], notes: list[str],
              rules_on: bool) -> Finding | None:
        ins, hate, p_hate = scores
        t_ins, t_hate = thresholds
        if rules_on and cues.dehumanising:
            start, end = cues.dehumanising[0]
            frame = Hit("dehumanising", start, end)
            return self._finding(
                item, f, cues, HATE, max(DEHUMANISING_SCORE, hate), [frame],
                f"Dehumanising language about a group: {self._quote(item, f, cues, frame)} — "
                f"people likened to vermin, animals or disease (model score {p_hate:.2f})", notes)
        # A slur alone is often in-group or reclaimed use ("sapatão", "bicha"): it counts when
        # aimed at someone or when the model also sees hostility.
        slurs = cues.hits.get("slur", []) if rules_on and not cues.self_reference else []
        hostile = bool(cues.directed) or hate >= t_hate / 2 or ins >= t_ins
        if slurs and hostile:
            return self._finding(
                item, f, cues, HATE, max(SLUR_SCORE, hate), slurs[:3],
                f"Identity slur: {self._quote(item, f, cues, slurs[0])} (model score "
                f"{p_hate:.2f})", notes)
        frames = cues.hits.get("derogation", []) if rules_on else []
        if frames:
            return self._finding(
                item, f, cues, HATE, max(DEROGATION_SCORE, hate), frames[:3],
                f"Implicit derogation of a group: {self._quote(item, f, cues, frames[0])} "
                f"(model score {p_hate:.2f})", notes)
        if hate >= t_hate:
            words = self._top_words(cues, f, HATE)
            return self._finding(
                item, f, cues, HATE, hate, words,
                f"Hateful language about people for who they are (model score {p_hate:.2f}, "
                f"threshold {t_hate:.2f}){self._weighed(item, f, cues, words)}", notes)
        return None

    # -- helpers ----------------------------------------------------------------------------

    def _finding(self, item: TextItem, f: Folded, cues: Cues, label: str, score: float,
                 hits: Sequence[Hit], explanation: str, notes: list[str]) -> Finding:
        if label in (HATE, SEXUAL):
            severity = Severity.HIGH if score >= HIGH else Severity.MEDIUM
        else:
            severity = Severity.MEDIUM if label == INSULT else Severity.LOW
        spans = [self._span(item, f, cues, h) for h in hits]
        if notes:
            explanation += "; " + "; ".join(notes)
        return self.finding(item, label, severity, min(1.0, score), spans, explanation + ".")

    @staticmethod
    def _span(item: TextItem, f: Folded, cues: Cues, hit: Hit) -> Span:
        start, end = f.span(cues.words[hit.start][0], cues.words[hit.end - 1][1])
        return Span(start, end, item.text[start:end])

    def _quote(self, item: TextItem, f: Folded, cues: Cues, hit: Hit) -> str:
        return f"'{self._span(item, f, cues, hit).text}'"

    def _top_words(self, cues: Cues, f: Folded, label: str) -> list[Hit]:
        """The (at most three) words that pushed the model's score up the most."""
        assert self._model is not None
        weighted = []
        for i, (s, e) in enumerate(cues.words[:200]):
            w = self._model.word_weight(f.text[s:e], label)
            if w > 0:
                weighted.append((w, i))
        weighted.sort(reverse=True)
        return [Hit(label, i, i + 1) for _, i in sorted(weighted[:3], key=lambda x: x[1])]

    def _weighed(self, item: TextItem, f: Folded, cues: Cues, words: list[Hit]) -> str:
        if not words:
            return ""
        return "; words that weighed most: " + ", ".join(
            self._quote(item, f, cues, h) for h in words)
