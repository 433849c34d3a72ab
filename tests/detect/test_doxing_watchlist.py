"""Doxing detector: the defender's own watchlist, matched through obfuscation; near misses
must not match."""

from __future__ import annotations

import pytest

from amparo.detect.base import DetectorContext, Severity, WatchItem
from amparo.detect.doxing import DoxingDetector
from tests.detect.table import run

WATCHLIST = (
    WatchItem("address", "Rua das Flores, 123, Umarizal, Belém - PA, 66055-000"),
    WatchItem("address", "Carrera 7 # 45-12, Bogotá"),
    WatchItem("address", "221B Baker Street, London"),
    WatchItem("address", "12 rue de la Paix, 75002 Paris"),
    WatchItem("phone", "(91) 98765-4321"),
    WatchItem("email", "maria.silva@gmail.com"),
    WatchItem("name", "Maria Aparecida da Silva"),
    WatchItem("relative", "Pedro Henrique Nascimento (filho)"),
    WatchItem("school", "Escola Estadual Paes de Carvalho"),
    WatchItem("workplace", "Instituto Floresta Viva"),
    WatchItem("vehicle", "QRS-1D23"),
    WatchItem("id_number", "529.982.247-25"),
    WatchItem("other", "Sítio Boa Esperança"),
)
CONTEXT = DetectorContext(country="BR", watchlist=WATCHLIST)

POSITIVES = [
    # address: abbreviations, leetspeak, accents, spacing, typos, partial (street + number)
    ("ela mora na Rua das Flores, 123", "pt", "address"),
    ("R. das Flores 123, vamos lá", "pt", "address"),
    ("r. d4s fl0r3s nº 123", "pt", "address"),
    ("RUA DAS FLORES, Nº 123 - Umarizal", "pt", "address"),
    ("rua das flroes 123", "pt", "address"),  # swapped letters
    ("Flores, 123", "pt", "address"),  # street type left out
    ("vive en la Cra. 7 # 45-12", "es", "address"),
    ("kr 7 no. 45 - 12", "es", "address"),
    ("she lives at 221b baker st", "en", "address"),
    ("chez elle: 12, Rue de la Paix", "fr", "address"),
    # phone: any grouping of the digits, with or without the country code
    ("liga pra ela (91) 98765-4321", "pt", "phone"),
    ("91987654321", "pt", "phone"),
    ("+55 91 9 8765 4321", "pt", "phone"),
    ("0055 (91) 98765.4321", "pt", "phone"),
    ("zap: 98765-4321", "pt", "phone"),  # local part only
    # email, plain and disguised
    ("manda pra maria.silva@gmail.com", "pt", "email"),
    ("MARIA.SILVA@GMAIL.COM", "en", "email"),
    ("maria.silva [at] gmail [dot] com", "en", "email"),
    ("maria.silva arroba gmail ponto com", "pt", "email"),
    # names: order, accents, case, leetspeak, spacing, typos, first + last
    ("Maria Aparecida da Silva é uma vagabunda", "pt", "name"),
    ("SILVA, Maria Aparecida", "pt", "name"),
    ("m4r1a aparecida s1lva", "pt", "name"),
    ("M a r i a Aparecida Silva", "pt", "name"),
    ("Maria Aparecyda Silva", "pt", "name"),  # one typo
    ("Maria Silva mente", "pt", "name"),  # first and last name
    ("o filho dela, Pedro Henrique Nascimento", "pt", "relative"),
    ("pedro nascimento estuda onde?", "pt", "relative"),
    ("la hija estudia en la Escola Paes de Carvalho", "es", "school"),
    ("trabalha no instituto floresta viva", "pt", "workplace"),
    ("ela dirige o QRS1D23", "pt", "vehicle"),
    ("placa qrs 1d23", "pt", "vehicle"),
    ("cpf dela 52998224725", "pt", "id_number"),
    ("529 982 247 25", "pt", "id_number"),
    ("fica no sitio boa esperanca", "pt", "other"),
]

NEGATIVES = [
    ("Rua das Flores, 124", "pt"),  # a different house number
    ("Rua das Flores, 1234", "pt"),
    ("rua das flores é linda", "pt"),  # street without the number
    ("Rua das Palmeiras, 123", "pt"),  # a different street
    ("Cra 45 # 7-12", "es"),  # the same numbers in another order
    ("221 Baker Street", "en"),
    ("(92) 98765-4321", "pt"),  # another area code
    ("91987654322", "pt"),  # last digit differs
    ("9198765432100", "pt"),  # longer number
    ("maria.silva@gmail.co", "en"),
    ("ana.silva@gmail.com", "en"),
    ("Maria Aparecida Santos", "pt"),  # a different surname
    ("Maria Souza", "pt"),
    ("maria", "pt"),
    ("a silva do rio", "pt"),
    ("Pedro Henrique Costa", "pt"),
    ("escola estadual", "pt"),
    ("a floresta está viva", "pt"),  # words of the workplace in a sentence
    ("QRS1D24", "pt"),
    ("529.982.247-35", "pt"),
    ("o sítio do pica-pau", "pt"),
]


@pytest.mark.parametrize(("text", "language", "kind"), POSITIVES)
def test_watchlist_matches(text: str, language: str, kind: str) -> None:
    found = [f for f in run(DoxingDetector(), text, language, CONTEXT)
             if f.label == "doxing.watchlist"]
    assert len(found) == 1, [(f.label, f.spans, f.explanation) for f in found]
    (f,) = found
    assert f.severity is Severity.CRITICAL
    assert f"'{kind}'" in f.explanation
    span = f.spans[0]
    assert text[span.start:span.end] == span.text
    # The explanation names the kind of data, never the data itself.
    for item in WATCHLIST:
        assert item.value.lower() not in f.explanation.lower()
        for word in item.value.replace(",", " ").split():
            if len(word) >= 5 and not word.isdigit() and word != "Street":
                assert word.lower() not in f.explanation.lower()


@pytest.mark.parametrize(("text", "language"), NEGATIVES)
def test_watchlist_near_misses(text: str, language: str) -> None:
    found = [f for f in run(DoxingDetector(), text, language, CONTEXT)
             if f.label == "doxing.watchlist"]
    assert found == [], [(f.spans, f.explanation) for f in found]


def test_watchlist_hit_replaces_the_generic_finding() -> None:
    found = run(DoxingDetector(), "liga (91) 98765-4321", "pt", CONTEXT)
    assert [f.label for f in found] == ["doxing.watchlist"]
    found = run(DoxingDetector(), "liga (91) 91234-5678", "pt", CONTEXT)
    assert [f.label for f in found] == ["doxing.phone"]


def test_span_points_at_what_was_written() -> None:
    text = "olha só: R. d4s Fl0res, nº 123 kkkk"
    (f,) = run(DoxingDetector(), text, "pt", CONTEXT)
    assert f.spans[0].text == "R. d4s Fl0res, nº 123"


def test_typos_lower_the_score() -> None:
    (exact,) = run(DoxingDetector(), "Maria Aparecida Silva", "pt", CONTEXT)
    (typo,) = run(DoxingDetector(), "Maria Aparecyda Silva", "pt", CONTEXT)
    assert typo.score < exact.score
    assert "misspelling" in typo.explanation


def test_empty_and_odd_watch_items_are_ignored() -> None:
    context = DetectorContext(country="BR", watchlist=(
        WatchItem("name", "  "), WatchItem("phone", "123"), WatchItem("email", "not-an-email"),
        WatchItem("address", ", ,")))
    assert run(DoxingDetector(), "123 not-an-email", "en", context) == []


def test_without_a_country_international_phone_still_matches() -> None:
    context = DetectorContext(watchlist=(WatchItem("phone", "+55 91 98765-4321"),))
    found = run(DoxingDetector(), "o zap dela é 91 98765 4321", "pt", context)
    assert [f.label for f in found] == ["doxing.watchlist"]


@pytest.mark.parametrize(("text", "matches"), [
    ("trabaja en Greenpeace", True),
    ("trabaja en greenpace", True),  # one letter missing
    ("trabaja en GR33NPEACE", True),
    ("trabaja en green peace", True),
    ("the green party", False),
    ("peace and love", False),
])
def test_one_word_item(text: str, matches: bool) -> None:
    context = DetectorContext(watchlist=(WatchItem("workplace", "Greenpeace"),))
    found = run(DoxingDetector(), text, "es", context)
    assert bool(found) is matches


def test_other_country_phone() -> None:
    context = DetectorContext(country="MX", watchlist=(WatchItem("phone", "+52 55 1234 5678"),))
    for text in ("llama al 55 1234 5678", "+52 (55) 1234-5678", "52 5512345678"):
        assert [f.label for f in run(DoxingDetector(), text, "es", context)] \
            == ["doxing.watchlist"], text
    found = run(DoxingDetector(), "llama al 55 1234 5679", "es", context)
    assert "doxing.watchlist" not in {f.label for f in found}
