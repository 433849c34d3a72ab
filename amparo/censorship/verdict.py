"""The verdict Amparo reaches for one measurement, beside the probe's own where it gave one."""

from __future__ import annotations

from dataclasses import dataclass

# web_connectivity verdicts (ts-017's `blocking` values, with `ok`/`down` for `false`).
WEB_VERDICTS = ("ok", "down", "dns", "tcp_ip", "http-diff", "http-failure", "unknown")
# Instant-messaging and tor verdicts: the app reachable, partly blocked, or blocked.
APP_VERDICTS = ("ok", "blocked", "partial", "unknown")


@dataclass(frozen=True)
class Verdict:
    verdict: str
    confirmed: bool = False  # a known blockpage/DNS fingerprint matched
    fingerprint: str | None = None
    reason: str = ""
    probe_verdict: str | None = None  # the probe's own conclusion, None where it gave none

    @property
    def agrees(self) -> bool | None:
        return None if self.probe_verdict is None else self.probe_verdict == self.verdict
