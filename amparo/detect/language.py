"""Offline language identification (lingua, with a fixed set of languages preloaded).

Abuse and threat wording differs by language, so the pipeline identifies each message's
language first and detectors receive it. Texts too short to judge get None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

VERSION = "1.0.0"
# The languages defenders in our partners' regions write and receive most; each one added
# costs memory and speed (MEASURED.md), so the set is deliberately small.
LANGUAGES: dict[str, Language] = {
    "en": Language.ENGLISH,
    "pt": Language.PORTUGUESE,
    "es": Language.SPANISH,
    "fr": Language.FRENCH,
    "ar": Language.ARABIC,
    "de": Language.GERMAN,
    "it": Language.ITALIAN,
}
_CODES = {lang: code for code, lang in LANGUAGES.items()}
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")
_LETTER = re.compile(r"[^\W\d_]")
_NOISE = re.compile(r"https?://\S+|@\w+|#\w+")
MIN_LETTERS = 4


class LanguageIdentifier:
    def __init__(self) -> None:
        self._detector: LanguageDetector | None = None

    def load(self) -> None:
        self._detector = (
            LanguageDetectorBuilder.from_languages(*LANGUAGES.values())
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    def identify(self, texts: Sequence[str]) -> list[str | None]:
        if self._detector is None:
            self.load()
        assert self._detector is not None
        cleaned = [_NOISE.sub(" ", t) for t in texts]
        result: list[str | None] = [None] * len(texts)
        todo: list[int] = []
        for i, text in enumerate(cleaned):
            letters = len(_LETTER.findall(text))
            if letters < MIN_LETTERS:
                continue
            # Arabic script is unambiguous among the languages we load: skip the model.
            if len(_ARABIC.findall(text)) * 2 > letters:
                result[i] = "ar"
            else:
                todo.append(i)
        # One text at a time: lingua's parallel API starts a thread per core in every worker
        # process, and the pipeline already runs one process per core.
        detect = self._detector.detect_language_of
        for i in todo:
            lang = detect(cleaned[i])
            result[i] = _CODES.get(lang) if lang is not None else None
        return result
