"""The links detector: indicator matches, lookalike domains and shorteners, in each language,
with the hard negatives (real domains, e-mail addresses, versions, file names, "e.g.")."""

from __future__ import annotations

from pathlib import Path

import pytest

from amparo.detect.base import DetectorContext, Severity, TextItem
from amparo.detect.indicators import load_indicator_file, save_collection
from amparo.detect.links import LinksDetector
from amparo.detect.registry import DETECTORS
from tests.detect.table import labels, run

IOC, LOOK, SHORT = "link.ioc", "link.lookalike", "link.shortener"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iocs"

TABLE = [
    # --- indicators (bundled snapshot: Amnesty Tech and MVT feeds)
    ("Check this: hxxps://weather4free[.]com/abc", "en", {IOC}),
    ("Your parcel is held, see https://sub.smscentro.com/t/1", "en", {IOC}),
    ("Urgente, abra: smscentro.com/x9", "pt", {IOC}),
    ("Mira esto googleplay-store.com", "es", {IOC, LOOK}),
    ("Le serveur 47.112.137.199 répond", "fr", {IOC}),
    ("أرسل إلى bergers.o79@gmail.com", "ar", {IOC}),
    # --- lookalikes
    ("Confirme sua conta em whatsapp-seguranca.net/login", "pt", {LOOK}),
    ("Verify now: accounts-google.verify-login.com", "en", {LOOK}),
    ("Login at google.co.com", "en", {LOOK}),
    ("http://gooogle.com/signin", "en", {LOOK}),
    ("Descarga whatsap.com/app", "es", {LOOK}),
    ("Sigue en faceb00k.com/recuperar", "es", {LOOK}),
    ("Votre compte: https://xn--80ak6aa92e.com/id", "fr", {LOOK}),
    ("gооgle.com/security", "en", {LOOK}),
    ("rnicrosoft.com/login", "en", {LOOK}),
    ("paypal.com.co/verify", "es", {LOOK}),
    ("paypalsecure.com", "en", {LOOK}),
    ("apple-login.com", "en", {LOOK}),
    ("whatsapp-verify.blogspot.com", "pt", {LOOK}),
    ("instagrarn.com", "pt", {LOOK}),
    ("تحقق من حسابك: protonmail-verify.com", "ar", {LOOK}),
    ("Accede a signal-login.org para activar", "es", {LOOK}),
    # --- shorteners
    ("olha isso https://bit.ly/3xYzAb", "pt", {SHORT}),
    ("mira tinyurl.com/y7abc y t.co/AbC123", "es", {SHORT}),
    ("regarde is.gd/abc", "fr", {SHORT}),
    ("شاهد cutt.ly/xyz", "ar", {SHORT}),
    # --- hard negatives
    ("I use google.com, mail.google.com and accounts.google.com", "en", set()),
    ("wa.me/5511999999999 or whatsapp.com/download or web.whatsapp.com", "en", set()),
    ("fb.com, facebook.com, m.facebook.com, instagram.com/p/x", "en", set()),
    ("google.com.br, google.fr and google.co.uk", "pt", set()),
    ("login.microsoftonline.com outlook.live.com icloud.com appleid.apple.com", "en", set()),
    ("signal.org/download, t.me/canal, proton.me, x.com/user, twitter.com", "en", set()),
    ("paypal.com/br, tiktok.com/@user, youtu.be/abc, bb.com.br", "pt", set()),
    ("Write to maria.silva@gmail.com or joao@riseup.net", "pt", set()),
    ("version 2.0.1, file.txt, report.pdf, e.g. this, i.e. that", "en", set()),
    ("Veja o relatório.docx e o setup.py, ok?", "pt", set()),
    ("Terminou. Depois saímos.Fim.", "pt", set()),
    ("Fui a casa.Com certeza volto", "pt", set()),
    ("Je lis lemonde.fr et wikipedia.org.", "fr", set()),
    ("Leí elpais.com y bbc.co.uk, p.ej. hoy.", "es", set()),
    ("قرأت الخبر على aljazeera.net اليوم", "ar", set()),
    ("apple-pie.com has recipes; signal-processing.org too", "en", set()),
    ("telegraph.co.uk and goggle.com", "en", set()),
    ("bit.ly is a shortener", "en", set()),
    ("@maria.silva disse isso", "pt", set()),
    ("meta-analysis.org published it", "en", set()),
    ("", "en", set()),
]


@pytest.mark.parametrize(("text", "language", "expected"), TABLE)
def test_table(text: str, language: str, expected: set[str]) -> None:
    assert labels(run(LinksDetector(), text, language)) == expected


def test_ioc_explanation_names_collection_and_report() -> None:
    (f,) = run(LinksDetector(), "see weather4free.com now")
    assert f.severity is Severity.CRITICAL
    assert ("Domain 'weather4free.com' is listed in Amnesty Tech's 'NSO Group Pegasus' "
            "indicators (2021-07-18_nso)") in f.explanation
    assert "spyware" in f.explanation
    assert f.spans[0].text == "weather4free.com" and f.spans[0].start == 4


def test_phishing_indicator_is_high_not_critical() -> None:
    (f,) = run(LinksDetector(), "abra accounts-mysecure.com agora")  # Amnesty phishing report
    assert f.label == IOC and f.severity is Severity.HIGH
    assert "phishing" in f.explanation


def test_lookalike_explanation() -> None:
    (f,) = run(LinksDetector(), "Entre em whatsapp-seguranca.net/login.")
    assert f.severity is Severity.HIGH and 0 < f.score <= 1
    assert "imitates WhatsApp" in f.explanation
    assert f.spans[0].text == "whatsapp-seguranca.net/login"
    (h,) = run(LinksDetector(), "https://xn--80ak6aa92e.com")
    assert "Apple" in h.explanation and "Cyrillic" in h.explanation


def test_shortener_explanation_and_no_resolution() -> None:
    (f,) = run(LinksDetector(), "https://bit.ly/3xYz")
    assert f.severity is Severity.LOW
    assert "destination unknown: Amparo never opens links" in f.explanation


def test_repeated_link_is_one_finding_with_two_spans() -> None:
    (f,) = run(LinksDetector(), "bit.ly/a1 and again bit.ly/a1")
    assert len(f.spans) == 2


def test_workspace_collections(tmp_path: Path) -> None:
    coll = load_indicator_file(FIXTURES / "misp_event.json", name="helpline")
    save_collection(coll, tmp_path)
    ctx = DetectorContext(indicators_dir=str(tmp_path))
    det = LinksDetector(use_snapshot=False)
    findings = run(det, "Clique: hxxps://login.fictional-bad[.]net/entrar", context=ctx)
    (f,) = findings
    assert f.label == IOC and f.severity is Severity.HIGH
    assert ("Fictional Helpline CERT's 'Fictional phishing wave against land defenders' "
            "indicators (2024-03-01 MISP event 4242)") in f.explanation
    assert "indicators/helpline.json" in det.artefacts()
    # an e-mail address counts only when it, or its domain, is listed
    (mail,) = det.detect([TextItem("m2", "de: suporte@fictional-bad.net")])
    assert mail.label == IOC
    (by_domain,) = det.detect([TextItem("m3", "de: outro@object-domain.fictional-bad.net")])
    assert "is at 'object-domain.fictional-bad.net'" in by_domain.explanation
    assert det.detect([TextItem("m4", "the URL short-lived.org/pt/entrar/")])
    assert det.detect([TextItem("m5", "203.0.113.77")])
    assert not det.detect([TextItem("m6", "weather4free.com")])  # snapshot turned off


def test_international_domains_follow_idna_2008(tmp_path: Path) -> None:
    """'faß' and 'fass' are two domains (IDNA 2008, what browsers resolve); IDNA 2003 made
    both 'fass', so a listed 'faß' domain matched a link to 'fass' and not one to 'faß'."""
    feed = tmp_path / "feed.txt"
    feed.write_text("faß.example-bad.org\n", encoding="utf-8")
    save_collection(load_indicator_file(feed, name="helpline"), tmp_path / "indicators")
    ctx = DetectorContext(indicators_dir=str(tmp_path / "indicators"))
    det = LinksDetector(use_snapshot=False)
    (f,) = run(det, "Entra en https://faß.example-bad.org/login", context=ctx)
    assert f.label == IOC and "Domain 'faß.example-bad.org' is listed" in f.explanation
    assert f.spans[0].text == "https://faß.example-bad.org/login"
    assert det.detect([TextItem("m2", "Entra en https://fass.example-bad.org/login")]) == []


def test_snapshot_off_by_context() -> None:
    ctx = DetectorContext(extras={"links.snapshot": "off"})
    assert run(LinksDetector(), "weather4free.com", context=ctx) == []


def test_artefacts_hash_every_resource() -> None:
    det = LinksDetector()
    det.load(DetectorContext())
    arts = det.artefacts()
    assert {"services.yaml", "confusables.yaml", "shorteners.yaml", "spyware.yaml",
            "indicators-snapshot.json"} <= set(arts)
    assert all(len(h) == 64 for h in arts.values())


def test_detect_before_load_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before load"):
        LinksDetector().detect([TextItem("m", "x")])


def test_registered() -> None:
    assert DETECTORS.get("links") is LinksDetector
