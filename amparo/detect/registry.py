"""Every detector in the default set. Adding one is a module and a line here."""

from __future__ import annotations

from amparo.detect.abuse import AbuseDetector
from amparo.detect.base import Detector
from amparo.detect.doxing import DoxingDetector
from amparo.detect.links import LinksDetector
from amparo.detect.threats import ThreatDetector

DEFAULT_SET: tuple[type[Detector], ...] = (
    AbuseDetector,
    DoxingDetector,
    LinksDetector,
    ThreatDetector,
)

DETECTORS: dict[str, type[Detector]] = {cls.name: cls for cls in DEFAULT_SET}
