"""Translations: gettext catalogues in locale/<lang>/LC_MESSAGES/messages.po, compiled in
memory at start-up (no build step, nothing to download). The current request's language lives
in a context variable, read by the templates' `_()` and by `gettext` here."""

from __future__ import annotations

import gettext as _gettext
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "pt", "es", "fr", "ar")
RTL = frozenset({"ar"})
# Each language's name in itself, for the language chooser.
NATIVE_NAMES = {"en": "English", "pt": "Português", "es": "Español", "fr": "Français",
                "ar": "العربية"}

_current: ContextVar[str] = ContextVar("amparo_language", default=DEFAULT)


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def N_(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown."""
    return message


def gettext(message: str) -> str:
    return catalogue(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(_current.get()).ngettext(singular, plural, n)


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header (RFC 9110 q-values)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, index, primary))
    return min(ranked)[2] if ranked else DEFAULT
