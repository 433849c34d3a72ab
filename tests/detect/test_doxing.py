"""Doxing detector: generic recognisers, one table per label, positives and hard negatives."""

from __future__ import annotations

import pytest

from amparo.detect.base import LABELS, DetectorContext, Severity
from amparo.detect.doxing import DoxingDetector
from tests.detect.table import labels, run

BR = DetectorContext(country="BR")


def _check(text: str, language: str, expected: set[str], context: DetectorContext = BR) -> None:
    found = run(DoxingDetector(), text, language, context)
    assert labels(found) == expected, [(f.label, f.spans, f.explanation) for f in found]
    for f in found:
        for span in f.spans:
            assert text[span.start:span.end] == span.text
        assert f.explanation and 0 <= f.score <= 1


PHONE = [
    ("liga pra ela (91) 98765-4321", "pt", {"doxing.phone"}),
    ("whatsapp dela 91 98765 4321 kkk", "pt", {"doxing.phone"}),
    ("llámala al +34 612 345 678", "es", {"doxing.phone"}),
    ("call her at +1 (202) 555-0143", "en", {"doxing.phone"}),
    ("appelez-la au +33 6 12 34 56 78", "fr", {"doxing.phone"}),
    # negatives: dates, amounts, order numbers, ISBNs, too few digits
    ("a reunião é dia 12/03/2024 às 14h30", "pt", set()),
    ("custou R$ 1.234,56 e ninguém explicou", "pt", set()),
    ("pedido 12345678901 entregue", "pt", set()),
    ("ISBN 978-3-16-148410-0", "en", set()),
    ("the score was 2-1, version 1.2.3", "en", set()),
    ("son 3 años de lucha, 500 familias", "es", set()),
    ("le 14 juillet, 20 000 personnes", "fr", set()),
]

EMAIL = [
    ("manda email pra fulana@example.org", "pt", {"doxing.email"}),
    ("her email is jane.doe+news@mail.example.co.uk", "en", {"doxing.email"}),
    ("escríbele a maria [at] example [dot] com", "es", {"doxing.email"}),
    ("écrivez à jean arroba example ponto com", "fr", {"doxing.email"}),
    ("@maria_silva você mente", "pt", set()),
    # a fediverse handle names an account, it is not an e-mail address
    ("@ana_defensora@mastodon.social você mente", "pt", set()),
    ("cc @redeXingu@ursal.zone @fulano@masto.pt", "pt", set()),
    ("her profile https://mastodon.social/@jane@example.org is public", "en", set()),
    ("@ana escreve pra ela: ana@example.org", "pt", {"doxing.email"}),
    ("see logo@2x.png", "en", set()),
    ("nos vemos a las 5 at the park", "es", set()),
]

ADDRESS = [
    ("ela mora na Rua das Acácias, 45", "pt", {"doxing.address"}),
    ("Av. Paulista, 1.578 - CEP 01310-200", "pt", {"doxing.address"}),
    ("vive en la Calle Mayor 12, Madrid", "es", {"doxing.address"}),
    ("su casa: Cra 7 # 45-12, Bogotá", "es", {"doxing.address"}),
    ("Jirón Junín 123, Lima", "es", {"doxing.address"}),
    ("she lives at 221B Baker Street", "en", {"doxing.address"}),
    ("il habite au 12 rue de la Paix, 75002 Paris", "fr", {"doxing.address"}),
    # negatives: street words in ordinary sentences
    ("a rua estava cheia", "pt", set()),
    ("a rua estava cheia 3 vezes", "pt", set()),
    ("la calle estaba llena de gente, 200 personas", "es", set()),
    ("the street was full of 300 people", "en", set()),
    ("la rue était pleine, 20 000 personnes", "fr", set()),
]

COORDINATES = [
    ("ela está em -1.4558, -48.4902", "pt", {"doxing.coordinates"}),
    ("ubicación: 4.6097, -74.0817", "es", {"doxing.coordinates"}),
    ("https://maps.example/@-1.455833,-48.490167,17z", "en", {"doxing.coordinates"}),
    ("position 1°27'21\"S 48°30'16\"W", "fr", {"doxing.coordinates"}),
    ("o placar foi 2-1", "pt", set()),
    ("version 1.2.3.4 is out", "en", set()),
    ("subió 1.234, luego 2.345", "es", set()),
    ("lat 95.1234, 200.5678", "en", set()),  # implausible
]

ID_NUMBER = [
    ("o CPF dela é 529.982.247-25", "pt", {"doxing.id_number"}),
    ("cpf 52998224725", "pt", {"doxing.id_number"}),
    ("CNPJ 11.222.333/0001-81", "pt", {"doxing.id_number"}),
    ("CURP BOXW310820HNERXN09", "es", {"doxing.id_number"}),
    ("RFC GODE561231GR8", "es", {"doxing.id_number"}),
    ("DNI 12345678Z", "es", {"doxing.id_number"}),
    ("NIE X1234567L", "es", {"doxing.id_number"}),
    ("RUT 12.345.678-5", "es", {"doxing.id_number"}),
    ("CUIT 20-12345678-6", "es", {"doxing.id_number"}),
    ("NIT 800.197.268-4", "es", {"doxing.id_number"}),
    ("RUC 20100070970", "es", {"doxing.id_number"}),
    ("cédula 1710034065", "es", {"doxing.id_number"}),
    ("CI 1.234.567-2", "es", {"doxing.id_number"}),
    ("NIF 123456789", "pt", {"doxing.id_number"}),
    ("sécurité sociale 2 95 10 99 126 111 93", "fr", {"doxing.id_number"}),
    # negatives: invalid checksums, bare digits without their word
    ("o CPF dela é 529.982.247-26", "pt", set()),
    ("CNPJ 11.222.333/0001-82", "pt", set()),
    ("CURP BOXW310820HNERXN08", "es", set()),
    ("DNI 12345678A", "es", set()),
    ("RUT 12.345.678-4", "es", set()),
    ("CUIT 20-12345678-5", "es", set()),
    ("RUC 20100070971", "es", set()),
    ("cédula 1710034066", "es", set()),
    ("order 52998224725 shipped", "en", set()),  # valid CPF digits but no CPF word
    ("NIF 123456788", "pt", set()),
    ("CPF 111.111.111-11", "pt", set()),
]

IBAN = [
    ("IBAN PT50 0002 0123 1234 5678 9015 4", "pt", {"doxing.iban"}),
    ("transfer to DE89 3704 0044 0532 0130 00", "en", {"doxing.iban"}),
    ("cuenta ES91 2100 0418 4502 0005 1332", "es", {"doxing.iban"}),
    ("RIB FR14 2004 1010 0505 0001 3M02 606", "fr", {"doxing.iban"}),
    ("IBAN DE89 3704 0044 0532 0130 01", "en", set()),  # bad check digits
    ("code XX89 3704 0044 0532 0130 00", "en", set()),  # unknown country
]

PLATE = [
    ("placa do carro dela QRS1D23", "pt", {"doxing.plate"}),
    ("o carro é ABC-1234, fiquem de olho", "pt", {"doxing.plate"}),
    ("la patente AB 123 CD", "es", {"doxing.plate"}),
    ("matrícula 1234 BCD", "es", {"doxing.plate"}),
    ("her car plate is ABC-12-34", "en", {"doxing.plate"}),
    ("plaque d'immatriculation BBCC 12", "fr", {"doxing.plate"}),
    ("código ABC-1234 do pedido", "pt", set()),  # no vehicle word
    ("o carro que 123 pessoas viram", "pt", set()),  # lower-case word and number
]

IP = [
    ("o ip dela é 189.45.12.3", "pt", {"doxing.ip"}),
    ("su router 192.168.0.12", "es", {"doxing.ip"}),
    ("connected from 2001:db8:85a3::8a2e:370:7334", "en", {"doxing.ip"}),
    ("version 1.2.3.4", "en", set()),
    ("versão 10.2.1.0 lançada", "pt", set()),
    ("DNS 8.8.8.8", "en", set()),
    ("localhost 127.0.0.1", "en", set()),
    ("a reunião 12:30:45", "pt", set()),
]

TABLE = [*PHONE, *EMAIL, *ADDRESS, *COORDINATES, *ID_NUMBER, *IBAN, *PLATE, *IP]


@pytest.mark.parametrize(("text", "language", "expected"), TABLE)
def test_table(text: str, language: str, expected: set[str]) -> None:
    _check(text, language, expected)


def test_labels_are_in_the_vocabulary() -> None:
    assert set(DoxingDetector.labels) <= LABELS.keys()


@pytest.mark.parametrize(("text", "label", "severity"), [
    ("ligue (91) 98765-4321", "doxing.phone", Severity.MEDIUM),
    ("ela mora ali, liga (91) 98765-4321", "doxing.phone", Severity.HIGH),
    ("fulana@example.org", "doxing.email", Severity.MEDIUM),
    ("she lives there, fulana@example.org", "doxing.email", Severity.HIGH),
    ("CPF 529.982.247-25", "doxing.id_number", Severity.HIGH),
    ("IBAN PT50 0002 0123 1234 5678 9015 4", "doxing.iban", Severity.HIGH),
    ("-1.4558, -48.4902", "doxing.coordinates", Severity.HIGH),
    ("Rua das Acácias, 45", "doxing.address", Severity.HIGH),
    ("o carro dela ABC-1234", "doxing.plate", Severity.LOW),
    ("placa ABC-1234", "doxing.plate", Severity.MEDIUM),
    ("rede 192.168.0.12", "doxing.ip", Severity.LOW),
    ("ip 189.45.12.3", "doxing.ip", Severity.MEDIUM),
])
def test_severity(text: str, label: str, severity: Severity) -> None:
    found = [f for f in run(DoxingDetector(), text, None, BR) if f.label == label]
    assert [f.severity for f in found] == [severity]


def test_id_number_is_not_also_a_phone() -> None:
    found = run(DoxingDetector(), "CPF 529.982.247-25", "pt", BR)
    assert labels(found) == {"doxing.id_number"}


def test_national_numbers_need_the_country() -> None:
    assert labels(run(DoxingDetector(), "ligue (91) 98765-4321", "pt", DetectorContext())) \
        == set()
    assert labels(run(DoxingDetector(), "ligue +55 91 98765-4321", "pt", DetectorContext())) \
        == {"doxing.phone"}


def test_span_and_explanation() -> None:
    text = "Olha o CPF dela: 529.982.247-25 espalhem"
    (f,) = run(DoxingDetector(), text, "pt", BR)
    assert f.spans[0].text == "529.982.247-25"
    assert "CPF" in f.explanation and "check digits" in f.explanation
    assert f.detector == "doxing" and f.detector_version == DoxingDetector.version


def test_batch_and_artefacts() -> None:
    from amparo.detect.base import TextItem
    d = DoxingDetector()
    d.load(BR)
    found = d.detect([TextItem("a", "nada aqui"), TextItem("b", "ip 189.45.12.3"),
                      TextItem("c", "fulana@example.org")])
    assert sorted(f.message_id for f in found) == ["b", "c"]
    assert set(d.artefacts()) == {"doxing/patterns.yaml", "doxing/ids.yaml", "doxing/iban.yaml",
                                  "doxing/watchlist.yaml"}
    assert all(len(h) == 64 for h in d.artefacts().values())


def test_detect_before_load_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        DoxingDetector().detect([])
