from __future__ import annotations

import pytest

from amparo.detect.language import LanguageIdentifier

CASES = [
    ("Vou te matar, sabemos onde você mora", "pt"),
    ("Bom dia a todos, a reunião será às 15h na sede da associação", "pt"),
    ("Te vamos a encontrar, ladrona de tierras", "es"),
    ("¿Alguien tiene el contacto de la abogada de la red?", "es"),
    ("You are a disgrace to this country and everybody knows it", "en"),
    ("Nous sommes solidaires avec Marina et sa communauté", "fr"),
    ("سنقتلك يا خائنة", "ar"),
    ("Wir stehen an der Seite der Verteidigerinnen", "de"),
    ("ok", None),
    ("👍👍", None),
    ("https://example.org/x @user #tag", None),
]


@pytest.fixture(scope="module")
def ident() -> LanguageIdentifier:
    li = LanguageIdentifier()
    li.load()
    return li


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_identify(ident: LanguageIdentifier, text: str, expected: str | None) -> None:
    assert ident.identify([text]) == [expected]


def test_batch_keeps_order(ident: LanguageIdentifier) -> None:
    texts = [t for t, _ in CASES]
    assert ident.identify(texts) == [e for _, e in CASES]
