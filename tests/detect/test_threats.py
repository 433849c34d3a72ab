from __future__ import annotations

from pathlib import Path

import pytest

from amparo.detect.base import LABELS, DetectorContext, Finding, Severity, TextItem
from amparo.detect.threats import ThreatDetector
from amparo.detect.threats_rules import RuleError, load_language, rule_files
from tests.detect.table import labels, run

DEATH, VIOLENCE, SEXUAL, FAMILY = ("threat.death", "threat.violence", "threat.sexual",
                                   "threat.family")


@pytest.fixture(scope="module")
def detector() -> ThreatDetector:
    d = ThreatDetector()
    d.load(DetectorContext())
    return d


def threats(detector: ThreatDetector, text: str, language: str | None = None) -> list[Finding]:
    """Findings that count as threats (INFO ones are reported or condemned speech)."""
    return [f for f in run(detector, text, language) if f.severity > Severity.INFO]


# (text, language, labels expected above INFO)
TABLE: list[tuple[str, str, set[str]]] = [
    # English
    ("I'm going to kill you", "en", {DEATH}),
    ("i will find you and k i l l you", "en", {DEATH}),
    ("we're gonna put a bullet in your head", "en", {DEATH}),
    ("you should die", "en", {DEATH}),
    ("someone should shoot her", "en", {DEATH}),
    ("I'll break your legs", "en", {VIOLENCE}),
    ("we will rape you", "en", {SEXUAL}),
    ("we know where your kids go to school", "en", {FAMILY}),
    ("we know where you live", "en", {VIOLENCE}),
    ("you'll end up like Marielle", "en", {DEATH}),
    ("watch your back", "en", {VIOLENCE}),
    ("this traffic is killing me", "en", set()),
    ("I'd kill for a coffee", "en", set()),
    ("killer app for organisers", "en", set()),
    ("police said the man was killed", "en", set()),
    ("I'm dying to see it", "en", set()),
    ("you killed it at the conference!", "en", set()),
    ("we need to shoot the video on Monday", "en", set()),
    ("I'll take you out for dinner", "en", set()),
    ("I'll kill you in Fortnite tonight", "en", set()),
    ("I would never hurt you", "en", set()),
    # Portuguese
    ("vou te matar", "pt", {DEATH}),
    ("vou te m4t4r sua vagabunda", "pt", {DEATH}),
    ("vamos te pegar", "pt", {VIOLENCE}),
    ("merece morrer", "pt", {DEATH}),
    ("alguém tinha que dar um tiro nela", "pt", {DEATH}),
    ("vou te estuprar", "pt", {SEXUAL}),
    ("sabemos onde sua filha estuda", "pt", {FAMILY}),
    ("sabemos onde você mora", "pt", {VIOLENCE}),
    ("vai aparecer no rio", "pt", {DEATH}),
    ("vai terminar igual a Marielle", "pt", {DEATH}),
    ("me mata de rir", "pt", set()),
    ("vou matar a saudade da minha mãe", "pt", set()),
    ("esse calor está me matando", "pt", set()),
    ("a polícia disse que o homem foi morto", "pt", set()),
    ("Mata Atlântica está sendo destruída", "pt", set()),
    ("vou te matar no jogo hoje", "pt", set()),
    ("sabemos onde fica a reunião", "pt", set()),
    ("não vou te matar", "pt", set()),
    # Spanish
    ("te voy a matar", "es", {DEATH}),
    ("te vamos a matar", "es", {DEATH}),
    ("ojalá te mueras", "es", {DEATH}),
    ("hay que matarla", "es", {DEATH}),
    ("te voy a violar", "es", {SEXUAL}),
    ("te vamos a partir la cara", "es", {VIOLENCE}),
    ("sabemos dónde vives", "es", {VIOLENCE}),
    ("cuidado con tus hijos", "es", {FAMILY}),
    ("vas a terminar como Berta Cáceres", "es", {DEATH}),
    ("me muero de risa", "es", set()),
    ("te voy a matar a besos", "es", set()),
    ("la policía dijo que el hombre fue asesinado", "es", set()),
    ("no te voy a matar", "es", set()),
    ("te mato en el partido de mañana", "es", set()),
    # French
    ("je vais te tuer", "fr", {DEATH}),
    ("on va te crever", "fr", {DEATH}),
    ("je vais te violer", "fr", {SEXUAL}),
    ("on va te casser la gueule", "fr", {VIOLENCE}),
    ("on sait où tu habites", "fr", {VIOLENCE}),
    ("on va s'occuper de ta fille", "fr", {FAMILY}),
    ("il faut la tuer", "fr", {DEATH}),
    ("tu mérites de mourir", "fr", {DEATH}),
    ("je suis mort de rire", "fr", set()),
    ("je vais tuer le temps", "fr", set()),
    ("la police a dit que l'homme a été tué", "fr", set()),
    ("je te tue aux échecs", "fr", set()),
    # Arabic
    ("سأقتلك", "ar", {DEATH}),
    ("سنقتلك", "ar", {DEATH}),
    ("هنقتلك", "ar", {DEATH}),
    ("راح نذبحك", "ar", {DEATH}),
    ("ســأقتلك", "ar", {DEATH}),  # tatweel
    ("سأغتصبك", "ar", {SEXUAL}),
    ("نعرف أين تسكن", "ar", {VIOLENCE}),
    ("نعرف أين تدرس ابنتك", "ar", {FAMILY}),
    ("دمها حلال", "ar", {DEATH}),
    ("قتلتني من الضحك", "ar", set()),
    ("بموت فيك", "ar", set()),
    ("الشرطة قالت ان الرجل قتل", "ar", set()),
    ("التدخين يقتلك", "ar", set()),
    ("لن اقتلك", "ar", set()),
]


@pytest.mark.parametrize(("text", "language", "expected"), TABLE)
def test_table(detector: ThreatDetector, text: str, language: str,
               expected: set[str]) -> None:
    assert labels(threats(detector, text, language)) == expected


@pytest.mark.parametrize(("text", "language"), [(t, lang) for t, lang, _ in TABLE])
def test_without_language_hint(detector: ThreatDetector, text: str, language: str) -> None:
    """Language identification can fail on short texts; the result must not depend on it."""
    expected = labels(threats(detector, text, language))
    assert labels(threats(detector, text, None)) == expected


def _rule_examples() -> list[tuple[str, str, str, bool]]:
    cases = []
    for path in rule_files():
        rules = load_language(path)
        for p in rules.patterns:
            cases += [(p.id, p.label, ex, True) for ex in p.examples]
            cases += [(p.id, p.label, ex, False) for ex in p.counter_examples]
    return cases


@pytest.mark.parametrize(("pattern", "label", "text", "positive"), _rule_examples())
def test_every_pattern_example(detector: ThreatDetector, pattern: str, label: str, text: str,
                               positive: bool) -> None:
    found = threats(detector, text)
    if positive:
        assert label in labels(found), f"{pattern} misses {text!r}"
    else:
        assert found == [], f"{pattern}'s counter-example {text!r} flagged"


def test_every_pattern_has_an_example() -> None:
    for path in rule_files():
        for p in load_language(path).patterns:
            assert p.examples, f"{p.id} has no example"


def test_all_five_languages_have_rules() -> None:
    assert {load_language(p).code for p in rule_files()} == {"en", "pt", "es", "fr", "ar"}


@pytest.mark.parametrize(("text", "why"), [
    ("he posted: I will kill you", "reported"),
    ('He wrote: "I will kill you"', "reported"),
    ('"I will kill you," he wrote.', "reported"),
    ("She received a message saying we know where you live", "reported"),
    ('ele disse: "vou te matar"', "reported"),
    ("ele escreveu: vou te matar", "reported"),
    ('ela recebeu uma mensagem dizendo "vou te matar"', "reported"),
    ("me dijeron que te van a matar", "reported"),
    ('me escribieron: "te vamos a matar"', "reported"),
    ("il a écrit : je vais te tuer", "reported"),
    ("il m'a écrit « je vais te tuer »", "reported"),
    ("قال لي سأقتلك", "reported"),
    ("stop saying people like her should die", "counter-speech"),
    ("threatening to kill her is a crime, someone should shoot her is not ok", "counter-speech"),
    ("dizer 'vou te matar' é crime", "counter-speech"),
    ("'hay que matarla' es un delito", "counter-speech"),
    ("I'll kill you in Fortnite tonight", "game"),
])
def test_reported_and_condemned_speech_is_info(detector: ThreatDetector, text: str,
                                               why: str) -> None:
    findings = run(detector, text)
    assert findings, "the threat wording should still be visible to a caseworker"
    assert all(f.severity == Severity.INFO for f in findings)
    assert all(why in f.explanation for f in findings)
    assert all(f.score < 0.3 for f in findings)


@pytest.mark.parametrize("text", [
    "he wrote that he would kill me", "ele disse que ia me matar",
    "me dijeron que me iban a matar", "il a écrit qu'il allait me tuer",
    "threatening to kill her is a crime", "ameaçar de morte é crime",
])
def test_reports_by_the_victim_are_not_threats(detector: ThreatDetector, text: str) -> None:
    assert threats(detector, text) == []


def test_a_report_does_not_cover_a_new_threat(detector: ThreatDetector) -> None:
    found = threats(detector, "He said I'm a liar. I will kill you.")
    assert labels(found) == {DEATH}


def test_severities(detector: ThreatDetector) -> None:
    def severity(text: str) -> Severity:
        return max(f.severity for f in run(detector, text))

    assert severity("vou te matar") == Severity.CRITICAL
    assert severity("I will rape you") == Severity.CRITICAL
    assert severity("we will hurt your kids") == Severity.CRITICAL
    assert severity("I'll break your legs") == Severity.HIGH
    assert severity("we know where you live") == Severity.HIGH
    assert severity("we know where you live. Bullets are cheap") == Severity.CRITICAL
    assert severity("sabemos onde você mora, vou te dar um tiro") == Severity.CRITICAL
    assert severity("you will pay for this") == Severity.MEDIUM


def test_a_threat_without_a_swear_word_outranks_profanity(detector: ThreatDetector) -> None:
    # The abuse detector gives profanity that attacks no one LOW.
    (finding,) = run(detector, "sabemos onde sua filha estuda")
    assert finding.label == FAMILY
    assert finding.severity >= Severity.HIGH > Severity.LOW


def test_location_cue_escalation_is_explained(detector: ThreatDetector) -> None:
    (cue,) = [f for f in run(detector, "sabemos onde você mora, vou te dar um tiro")
              if f.label == VIOLENCE]
    assert cue.severity == Severity.CRITICAL
    assert "violent words" in cue.explanation


def test_score_reflects_pattern_strength(detector: ThreatDetector) -> None:
    def score(text: str) -> float:
        return max(f.score for f in threats(detector, text))

    assert score("I'm going to kill you") > score("you should die")
    assert score("vou te matar") > score("alguém tinha que dar um tiro nela")
    assert score("te voy a matar") > score("ojalá te mueras")
    assert score("we know where you live") > score("watch your back")


def test_spans_point_at_what_was_written(detector: ThreatDetector) -> None:
    text = "Olha aqui: VOU TE M 4 T A R, entendeu?"
    (finding,) = run(detector, text)
    (span,) = finding.spans
    assert span.text == "VOU TE M 4 T A R"
    assert text[span.start:span.end] == span.text
    assert "VOU TE M 4 T A R" in finding.explanation


def test_finding_fields(detector: ThreatDetector) -> None:
    (finding,) = run(detector, "Écoute bien: je vais te tuer")
    assert finding.detector == "threats" and finding.detector_version == detector.version
    assert finding.label in LABELS and finding.label in detector.labels
    assert 0 < finding.score <= 1
    assert finding.explanation.startswith("Death threat in French: 'je vais te tuer'")


def test_several_matches_make_one_finding_per_label(detector: ThreatDetector) -> None:
    findings = run(detector, "vou te matar. Vou te matar. te mato")
    assert len(findings) == 1
    assert len(findings[0].spans) == 3
    assert "2 more threatening phrases" in findings[0].explanation


def test_batch_keeps_message_ids(detector: ThreatDetector) -> None:
    batch = [TextItem("a", "bom dia"), TextItem("b", "te voy a matar"), TextItem("c", ""),
             TextItem("d", "سأقتلك")]
    assert [f.message_id for f in detector.detect(batch)] == ["b", "d"]


def test_detect_needs_load() -> None:
    with pytest.raises(RuntimeError):
        ThreatDetector().detect([TextItem("a", "vou te matar")])


def test_artefacts_hash_every_rule_file(detector: ThreatDetector) -> None:
    arts = detector.artefacts()
    assert set(arts) == {p.name for p in rule_files()}
    assert all(len(h) == 64 for h in arts.values())


def test_malformed_rule_file_is_rejected_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "xx.yaml"
    bad.write_text("language: xx\ntriggers: [a]\npatterns:\n  - id: p\n    label: abuse.insult\n"
                   "    score: 0.5\n    regex: 'a'\n    means: m\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"xx\.yaml: xx\.p"):
        load_language(bad)
    bad.write_text("language: xx\ntriggers: [a]\npatterns:\n  - id: p\n    label: threat.death\n"
                   "    score: 0.5\n    regex: '{nope}'\n    means: m\n", encoding="utf-8")
    with pytest.raises(RuleError, match="unknown lexicon"):
        load_language(bad)
