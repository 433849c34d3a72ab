from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.detect.normalize import fold, within_edits


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Vou te MATAR", "vou te matar"),
        ("m4t4r", "matar"),
        ("k1ll y0u", "kill you"),
        ("k!ll", "kill"),
        ("ok!", "ok!"),
        ("m a t a r", "matar"),
        ("p.u.t.a", "puta"),
        ("k-i-l-l", "kill"),
        ("kiiiiill", "kill"),
        ("vаgabunda", "vagabunda"),  # Cyrillic а
        ("Ação São João", "acao sao joao"),
        ("ﬁnal", "final"),
        ("year 2024, room 101", "year 2024, room 101"),
        ("y a la casa", "y a la casa"),
        ("@maria", "@maria"),
        ("te vamos a m@t@r", "te vamos a matar"),
    ],
)
def test_fold(written: str, folded: str) -> None:
    assert fold(written).text == folded


def test_span_maps_back_to_what_was_written() -> None:
    text = "Ela vai m 4 t a r você"
    f = fold(text)
    start = f.text.index("matar")
    a, b = f.span(start, start + len("matar"))
    assert text[a:b] == "m 4 t a r"


@given(st.text(max_size=200))
def test_index_is_consistent(text: str) -> None:
    f = fold(text)
    assert len(f.index) == len(f.text)
    assert all(0 <= i < len(text) for i in f.index)
    assert list(f.index) == sorted(f.index)


@pytest.mark.parametrize(("a", "b", "limit", "expected"), [
    ("google", "google", 0, True),
    ("gooogle", "google", 1, True),        # one insertion
    ("gogle", "google", 1, True),          # one deletion
    ("rnicrosoft", "microsoft", 1, False),  # two edits ('rn' for 'm')
    ("rnicrosoft", "microsoft", 2, True),
    ("whatsapp", "whatsap", 1, True),
    ("faecbook", "facebook", 1, True),     # a swap of neighbours is one edit
    ("faecbook", "facebook", 0, False),
    ("ca", "abc", 2, False),               # each letter edited once: 3, not Damerau's 2
    ("ca", "abc", 3, True),
    ("mariana", "marina", 1, True),
    ("silva", "souza", 2, False),
    ("", "ab", 2, True),
    ("", "abc", 2, False),
])
def test_within_edits(a: str, b: str, limit: int, expected: bool) -> None:
    assert within_edits(a, b, limit) is expected
    assert within_edits(b, a, limit) is expected

