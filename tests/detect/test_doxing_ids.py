"""Checksum validators of the doxing detector, and robustness on arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.detect import doxing_ids
from amparo.detect.base import DetectorContext, TextItem, WatchItem
from amparo.detect.doxing import DoxingDetector

VALID = [
    ("cpf", "52998224725"), ("cnpj", "11222333000181"), ("curp", "BOXW310820HNERXN09"),
    ("rfc", "GODE561231GR8"), ("dni_es", "12345678Z"), ("nie_es", "X1234567L"),
    ("rut_cl", "123456785"), ("rut_cl", "10000013K"), ("cuit_ar", "20123456786"),
    ("nit_co", "8001972684"), ("ruc_pe", "20100070970"), ("cedula_ec", "1710034065"),
    ("nif_pt", "123456789"), ("nir_fr", "295109912611193"), ("ci_uy", "12345672"),
]
INVALID = [
    ("cpf", "52998224726"), ("cpf", "11111111111"), ("cpf", "5299822472"),
    ("cnpj", "11222333000182"), ("curp", "BOXW310820HNERXN08"),
    ("curp", "BOXW311320HNERXN09"),  # month 13
    ("rfc", "GODE561231GR9"), ("dni_es", "12345678A"), ("nie_es", "A1234567L"),
    ("rut_cl", "123456784"), ("cuit_ar", "20123456785"), ("cuit_ar", "99123456786"),
    ("nit_co", "8001972685"), ("ruc_pe", "20100070971"), ("ruc_pe", "99100070970"),
    ("cedula_ec", "1710034066"), ("cedula_ec", "9910034065"), ("nif_pt", "123456788"),
    ("nir_fr", "295109912611194"), ("ci_uy", "12345673"),
]


@pytest.mark.parametrize(("kind", "number"), VALID)
def test_valid(kind: str, number: str) -> None:
    assert doxing_ids.VALIDATORS[kind](number)


@pytest.mark.parametrize(("kind", "number"), INVALID)
def test_invalid(kind: str, number: str) -> None:
    assert not doxing_ids.VALIDATORS[kind](number)


def test_iban() -> None:
    lengths = {"DE": 22, "PT": 25}
    assert doxing_ids.iban("DE89370400440532013000", lengths)
    assert not doxing_ids.iban("DE89370400440532013001", lengths)
    assert not doxing_ids.iban("DE8937040044053201300", lengths)  # wrong length
    assert not doxing_ids.iban("FR1420041010050500013M02606", lengths)  # country not listed


_DETECTOR = DoxingDetector()
_DETECTOR.load(DetectorContext(country="BR", watchlist=(
    WatchItem("address", "Rua das Flores, 123"), WatchItem("phone", "(91) 98765-4321"),
    WatchItem("name", "Maria Aparecida da Silva"), WatchItem("email", "maria@example.org"))))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("Rua das Flores123 4567890.,-()#@+°'\"áÁ1 \n"),
               max_size=120) | st.text(max_size=120))
def test_any_text_gives_well_formed_findings(text: str) -> None:
    for f in _DETECTOR.detect([TextItem("m", text)]):
        assert f.label in DoxingDetector.labels
        for span in f.spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start:span.end] == span.text
