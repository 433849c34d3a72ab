"""Every importer Amparo knows. Adding a format is one module and one line here."""

from __future__ import annotations

from amparo.ingest.base import Importer
from amparo.ingest.discord import DiscordImporter
from amparo.ingest.email import EmailImporter
from amparo.ingest.errors import ImportRejected
from amparo.ingest.generic import GenericImporter
from amparo.ingest.mastodon import MastodonImporter
from amparo.ingest.meta import FacebookImporter, InstagramImporter
from amparo.ingest.slack import SlackImporter
from amparo.ingest.sources import Source
from amparo.ingest.telegram import TelegramImporter
from amparo.ingest.twitter import TwitterImporter
from amparo.ingest.whatsapp import WhatsAppImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.name: cls
    for cls in (
        FacebookImporter,
        InstagramImporter,
        EmailImporter,
        TelegramImporter,
        SlackImporter,
        DiscordImporter,
        GenericImporter,
        TwitterImporter,
        MastodonImporter,
        WhatsAppImporter,
    )
}

# Below this confidence a format is not chosen automatically.
MIN_CONFIDENCE = 0.5

# What a sniff may raise on a source that is not in its format (an unreadable member, a key it
# expected, a head that does not decode): it counts as no confidence.
SNIFF_FAILURES: tuple[type[Exception], ...] = (OSError, KeyError, ImportRejected, ValueError)


def get_importer(name: str) -> type[Importer]:
    try:
        return IMPORTERS[name]
    except KeyError:
        known = ", ".join(sorted(IMPORTERS))
        raise ImportRejected(name, f"unknown format; known formats: {known}") from None


def best_importer(source: Source) -> tuple[type[Importer], float] | None:
    """The importer most confident about the source and its confidence, or None when none
    reaches MIN_CONFIDENCE."""
    scored = sorted(
        ((confidence(cls, source), cls.name, cls) for cls in IMPORTERS.values()),
        key=lambda t: (-t[0], t[1]),
    )
    best_score, _, best = scored[0]
    return (best, best_score) if best_score >= MIN_CONFIDENCE else None


def detect_format(source: Source) -> type[Importer]:
    """The importer most confident about the source; refuses when none is confident."""
    found = best_importer(source)
    if found is None:
        known = ", ".join(sorted(IMPORTERS))
        raise ImportRejected(
            source.name,
            f"unknown format: not recognised as any of {known}; "
            "pass --format to choose one",
        )
    return found[0]


def confidence(cls: type[Importer], source: Source) -> float:
    try:
        return cls.sniff(source)
    except SNIFF_FAILURES:
        return 0.0
