"""The detector interface. Detectors are pure: they read texts and return findings; they never
touch storage or the network. One module per detector family implements `Detector`;
`registry.py` lists them."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from amparo.errors import InvalidValue


class Severity(enum.IntEnum):
    """Ordered, so findings can be ranked: a death threat outranks a swear word."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.upper()]
        except KeyError:
            raise InvalidValue(f"unknown severity {value!r}; one of "
                             f"{', '.join(s.name.lower() for s in cls)}") from None


# The one vocabulary of finding labels (documented in docs/labels.md; a test keeps them in step).
LABELS: dict[str, str] = {
    "abuse.insult": "insult or demeaning language aimed at a person",
    "abuse.hate": "hate speech: attacks or dehumanises people for who they are",
    "abuse.sexual": "sexualised harassment",
    "abuse.profanity": "profanity that attacks no one (low severity on its own)",
    "threat.violence": "threat of violence, or incitement to violence against the defender",
    "threat.death": "death threat",
    "threat.sexual": "threat of rape or sexual violence",
    "threat.family": "threat against the defender's family or people close to them",
    "doxing.phone": "a phone number exposed",
    "doxing.email": "an email address exposed",
    "doxing.address": "a street address exposed",
    "doxing.coordinates": "geographic coordinates exposed",
    "doxing.id_number": "a national identity or tax number exposed (checksum valid)",
    "doxing.iban": "a bank account number (IBAN) exposed",
    "doxing.plate": "a vehicle plate exposed",
    "doxing.ip": "an IP address exposed",
    "doxing.watchlist": "the defender's own private data (from their watchlist) exposed",
    "link.ioc": "a link or domain listed in a spyware/phishing indicator collection",
    "link.lookalike": "a domain imitating a service defenders log into",
    "link.shortener": "a shortened link whose destination is unknown (never resolved)",
}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    message_id: str
    detector: str
    detector_version: str
    label: str
    severity: Severity
    score: float
    spans: tuple[Span, ...]
    explanation: str

    def to_dict(self) -> dict[str, object]:
        return {
            "message_id": self.message_id, "detector": self.detector,
            "detector_version": self.detector_version, "label": self.label,
            "severity": str(self.severity), "score": self.score,
            "spans": [{"start": x.start, "end": x.end, "text": x.text} for x in self.spans],
            "explanation": self.explanation,
        }

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown finding label {self.label!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} outside [0, 1]")


@dataclass(frozen=True, slots=True)
class TextItem:
    """What a detector sees of a message. `language` is an ISO 639-1 code or None."""

    id: str
    text: str
    language: str | None = None


@dataclass(frozen=True)
class WatchItem:
    kind: str
    value: str


@dataclass(frozen=True)
class DetectorContext:
    """What detectors may know about the defender the messages were sent to."""

    country: str | None = None
    languages: tuple[str, ...] = ()
    watchlist: tuple[WatchItem, ...] = ()
    indicators_dir: str | None = None  # folder of imported indicator collections
    extras: dict[str, str] = field(default_factory=dict)


class Detector(ABC):
    """One detector family. Subclasses set `name`, `version` and `labels`; heavy resources
    (models, indicator sets) are read in `load()`, never in `__init__`."""

    name: ClassVar[str]
    version: ClassVar[str]
    labels: ClassVar[tuple[str, ...]]

    def load(self, context: DetectorContext) -> None:  # noqa: B027 - optional hook
        """Read models, patterns or indicators. Called once before `detect`."""

    @abstractmethod
    def detect(self, batch: Sequence[TextItem]) -> list[Finding]:
        """Findings for a batch of texts (batching amortises per-call costs)."""

    def artefacts(self) -> dict[str, str]:
        """Files this detector's results depend on, as {name: sha256}, for run manifests."""
        return {}

    def finding(
        self, item: TextItem, label: str, severity: Severity, score: float,
        spans: Sequence[Span], explanation: str,
    ) -> Finding:
        return Finding(item.id, self.name, self.version, label, severity, round(score, 4),
                       tuple(spans), explanation)
