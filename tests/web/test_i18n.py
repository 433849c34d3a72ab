"""Every string of the pages is translated in every language, and the catalogues load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from amparo.web import i18n

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("amparo/web/**.py", "python"), ("amparo/accounts/**.py", "python"),
           ("amparo/web/templates/**.html", "jinja2")]
OPTIONS = {"amparo/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def source_messages() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, options_map=OPTIONS,
                             keywords={"_": None, "gettext": None, "N_": None})
    return {str(message) for _file, _line, message, _comments, _ctx in found}


@pytest.mark.parametrize("lang", [x for x in i18n.LANGUAGES if x != i18n.DEFAULT])
def test_catalogue_translates_every_message_of_the_source(lang: str) -> None:
    po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    translated = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    wanted = source_messages()
    assert len(wanted) > 80
    missing = sorted(m for m in wanted if not translated.get(m))
    assert missing == [], f"run `make i18n` and translate: {missing[:5]}"
    for msgid, text in translated.items():  # placeholders survive translation
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text))


def test_catalogue_is_used_at_run_time() -> None:
    i18n.set_language("fr")
    assert i18n.gettext("Sign in") == "Se connecter"
    i18n.set_language("xx")
    assert i18n.current() == "en" and i18n.gettext("Sign in") == "Sign in"


@pytest.mark.parametrize(("header", "lang"), [
    (None, "en"), ("", "en"), ("ar", "ar"), ("pt-BR,pt;q=0.9,en;q=0.8", "pt"),
    ("de, fr;q=0.5, es;q=0.7", "es"), ("en;q=0, fr;q=0.1", "fr"), ("zz, *", "en"),
    ("es;q=bad, fr", "fr"),
])
def test_accept_language_negotiation(header: str | None, lang: str) -> None:
    assert i18n.negotiate(header) == lang


def test_only_arabic_is_right_to_left() -> None:
    assert [x for x in i18n.LANGUAGES if i18n.direction(x) == "rtl"] == ["ar"]
