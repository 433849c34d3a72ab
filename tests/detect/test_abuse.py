"""Abuse detector: a HateCheck-style functional table in each language it claims, plus the
interface promises (spans into the original text, explanations, severities, artefacts)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from amparo.detect.abuse import LEXICON_PATH, MODEL_PATH, AbuseDetector
from amparo.detect.base import DetectorContext, Severity, TextItem
from tests.detect.table import labels, run

INSULT, HATE, SEXUAL, PROFANITY = "abuse.insult", "abuse.hate", "abuse.sexual", "abuse.profanity"
SERIOUS = {INSULT, HATE, SEXUAL}
NONE = None

# (text, language, expected): a label that must be found, PROFANITY (found, and nothing
# more serious), or NONE (no insult, hate or sexual finding).
TABLE = [
    # English
    ("you stupid bitch", "en", INSULT),
    ("shut up, you pathetic clown", "en", INSULT),
    ("you're a dirty slut", "en", SEXUAL),
    ("these people are vermin", "en", HATE),
    ("immigrants are animals and parasites", "en", HATE),
    ("go back to your country, nobody wants you", "en", HATE),
    ("you st00pid b1tch", "en", INSULT),
    ("you dumb btich", "en", INSULT),
    ("s h u t up you i d i o t", "en", INSULT),
    ("this fucking rain", "en", PROFANITY),
    ("oh shit, I missed the train", "en", PROFANITY),
    ("calling her a whore is disgusting", "en", NONE),
    ("someone called me a slut today, I reported it", "en", NONE),
    ("I am a proud gay man", "en", NONE),
    ("Black women lead this movement", "en", NONE),
    ("see you at the hearing tomorrow", "en", NONE),
    # Portuguese
    ("sua vagabunda", "pt", SEXUAL),
    ("cala a boca seu otário", "pt", INSULT),
    ("esses imigrantes são ratos", "pt", HATE),
    ("lugar de mulher é na cozinha", "pt", HATE),
    ("sua vag@bund4", "pt", SEXUAL),
    ("sua p u t a", "pt", SEXUAL),
    ("que porra de dia", "pt", PROFANITY),
    ("chamar ela de vagabunda é crime", "pt", NONE),
    ("me chamaram de macaco e eu denunciei", "pt", NONE),
    ("as mulheres negras lideram a luta", "pt", NONE),
    ("sou sapatão e tenho orgulho", "pt", NONE),
    ("eu sou muito burra, esqueci a chave", "pt", NONE),
    ("obrigada pelo apoio de todos", "pt", NONE),
    # Spanish (no training data set: lexicon, templates and Portuguese transfer)
    ("eres una zorra asquerosa", "es", SEXUAL),
    ("cállate, imbécil", "es", INSULT),
    ("esos inmigrantes son ratas", "es", HATE),
    ("eres una z0rr4", "es", SEXUAL),
    ("joder, qué frío", "es", PROFANITY),
    ("llamarla zorra es violencia machista", "es", NONE),
    ("los indígenas defienden su territorio", "es", NONE),
    ("soy lesbiana y orgullosa", "es", NONE),
    ("nos vemos mañana en la reunión", "es", NONE),
    # French
    ("espèce de salope", "fr", SEXUAL),
    ("ferme ta gueule, connard", "fr", INSULT),
    ("ces migrants sont des cafards", "fr", HATE),
    ("espèce de s@l0pe", "fr", SEXUAL),
    ("putain de pluie", "fr", PROFANITY),
    ("la traiter de salope est inacceptable", "fr", NONE),
    ("je suis lesbienne et fière", "fr", NONE),
    ("merci pour votre soutien", "fr", NONE),
    # Arabic
    ("يا شرموطة", "ar", SEXUAL),
    ("انت حمار", "ar", INSULT),
    ("هؤلاء اللاجئين حشرات", "ar", HATE),
    ("تبا لهذا الزحام", "ar", PROFANITY),
    ("وصفها بالعاهرة عيب", "ar", NONE),
    ("شكرا على دعمكم", "ar", NONE),
]


@pytest.fixture(scope="module")
def detector() -> AbuseDetector:
    d = AbuseDetector()
    d.load(DetectorContext())
    return d


@pytest.mark.parametrize(("text", "language", "expected"), TABLE)
def test_table(detector: AbuseDetector, text: str, language: str, expected: str | None) -> None:
    found = labels(run(detector, text, language))
    if expected is None:
        assert not found & SERIOUS, found
    elif expected == PROFANITY:
        assert found == {PROFANITY}, found
    else:
        assert expected in found, found


@pytest.mark.parametrize(("text", "language", "expected"), TABLE[:6] + TABLE[16:19])
def test_without_language(detector: AbuseDetector, text: str, language: str,
                          expected: str | None) -> None:
    """The language detector may not know: the union of the lexicons still works."""
    assert expected in labels(run(detector, text, None))


def test_spans_point_into_the_original(detector: AbuseDetector) -> None:
    text = "Olá!! Sua V4G4BUNDA, some daqui"
    [finding] = run(detector, text, "pt")
    assert finding.label == SEXUAL
    for span in finding.spans:
        assert text[span.start:span.end] == span.text
    assert "V4G4BUNDA" in finding.spans[0].text
    assert "'Sua V4G4BUNDA'" in finding.explanation
    assert "model score" in finding.explanation


def test_severities(detector: AbuseDetector) -> None:
    sev = {f.label: f.severity for f in detector.detect([
        TextItem("a", "you stupid idiot", "en"), TextItem("b", "these people are vermin", "en"),
        TextItem("c", "this fucking rain", "en")])}
    assert sev[INSULT] == Severity.MEDIUM
    assert sev[HATE] >= Severity.MEDIUM
    assert sev[PROFANITY] == Severity.LOW


def test_profanity_explanation_says_it_attacks_no_one(detector: AbuseDetector) -> None:
    [finding] = run(detector, "que porra de dia", "pt")
    assert finding.score <= 1 and "attacks no one" in finding.explanation


def test_model_only_finding_names_the_words(detector: AbuseDetector) -> None:
    findings = run(detector, "what a worthless waste of oxygen that woman is, disgusting", "en")
    model_only = [f for f in findings if "words that weighed most" in f.explanation]
    for f in model_only:
        assert f.spans


def test_batch_keeps_messages_apart(detector: AbuseDetector) -> None:
    batch = [TextItem(str(i), t, lang) for i, (t, lang, _) in enumerate(TABLE)]
    batch.append(TextItem("empty", "", None))
    by_id = {f.message_id for f in detector.detect(batch)}
    assert "empty" not in by_id
    for i, (text, lang, _) in enumerate(TABLE):
        alone = {f.label for f in detector.detect([TextItem("x", text, lang)])}
        together = {f.label for f in detector.detect(batch) if f.message_id == str(i)}
        assert alone == together


def test_nothing_heavy_before_load() -> None:
    d = AbuseDetector()
    assert d.artefacts() == {}
    with pytest.raises(RuntimeError):
        d.detect([TextItem("m", "hello", "en")])


def test_artefacts_hash_the_files_it_reads(detector: AbuseDetector) -> None:
    arts = detector.artefacts()
    for path in (MODEL_PATH, MODEL_PATH.with_suffix(".json"), LEXICON_PATH):
        assert arts[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert MODEL_PATH.stat().st_size <= 25 * 1024 * 1024


def test_model_card_names_the_artefact_hash() -> None:
    card = Path(__file__).resolve().parents[2] / "docs" / "model-card-abuse.md"
    for path in (MODEL_PATH, MODEL_PATH.with_suffix(".json")):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in card.read_text("utf-8")


def test_challenge_set_pass_rate(detector: AbuseDetector) -> None:
    """The hand-written challenge set (the only Spanish evaluation) stays above 90% a language."""
    cases = yaml.safe_load((LEXICON_PATH.parent / "challenge.yaml").read_text("utf-8"))["cases"]
    passed: dict[str, list[bool]] = {}
    for case in cases:
        found = labels(detector.detect([TextItem("c", case["text"], case["lang"])]))
        serious = found & SERIOUS
        if case["expect"] == "none":
            ok = not serious
        elif case["expect"] == PROFANITY:
            ok = PROFANITY in found and not serious
        else:
            ok = case["expect"] in found
        passed.setdefault(case["lang"], []).append(ok)
    for lang, oks in passed.items():
        assert sum(oks) / len(oks) >= 0.9, (lang, oks)
