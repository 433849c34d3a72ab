"""One entry point: a measurement in, Amparo's verdict out (with the probe's beside it)."""

from __future__ import annotations

from amparo.censorship import apps, web_connectivity
from amparo.censorship.reader import Measurement
from amparo.censorship.verdict import Verdict


def analyze(m: Measurement) -> Verdict:
    if m.test_name == "web_connectivity":
        return web_connectivity.analyze(m.test_keys, m.input)
    analyzer = apps.ANALYZERS.get(m.test_name)
    if analyzer is not None:
        return analyzer(m.test_keys)
    return Verdict("unknown", reason=f"Amparo does not analyse {m.test_name} yet")
