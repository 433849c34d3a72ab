"""The doxing detector's generic recognisers: phone numbers, emails, identity and tax numbers,
IBANs, coordinates, IP addresses, vehicle plates and street addresses.

Each returns `Hit`s with offsets into the original text. Everything that needs digits is skipped
for texts without them, so the common message (no digits, no "@") costs two C-level scans.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from amparo.detect.base import Severity
from amparo.detect.doxing_address import AddressFinder
from amparo.detect.doxing_ids import VALIDATORS, iban
from amparo.detect.doxing_text import plain, word_pattern

_NON_DIGIT = re.compile(r"\D+")
# Not after "@": "@user@instance.social" is a fediverse account (a mention), not an address.
_EMAIL = re.compile(
    r"(?<![\w.+%@-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
    r"[A-Za-z0-9])?)*\.(?P<tld>[A-Za-z]{2,24})(?![\w-])")
_EMAIL_CUE = re.compile(r"[\w.+%-]@[A-Za-z0-9]")
# Substrings (checked with `in`, C speed) that may start a disguised address.
_OBFUSCATED_CUES = ("at]", "at)", "at}", "AT]", "AT)", "arroba", "Arroba", "ARROBA", " dot ",
                    " ponto ", " punto ", " point ")
_SEP_AT = r"(?:\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*|\s+(?:at|arroba)\s+|\s*@\s*)"
_SEP_DOT = r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>|\[\.\]|\.)\s*|\s+(?:dot|ponto|punto|point)\s+)"
_TLDS = "com|org|net|br|mx|co|ar|es|fr|pt|cl|pe|ec|uy|bo|ve|gt|hn|ni|info|io|edu|gov|uk|de|me"
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.])[a-z0-9][a-z0-9._%+-]{{0,63}}{_SEP_AT}[a-z0-9-]{{2,63}}"
    rf"(?:{_SEP_DOT}[a-z0-9-]{{2,63}})*?{_SEP_DOT}(?:{_TLDS})(?![\w])")
_DECIMAL_COORDS = re.compile(
    r"(?<![\d.])(?P<lat>-?\d{1,2}\.(?P<latd>\d{3,8}))°?\s*(?P<sep>[,;/]|\s)\s*"
    r"(?P<lon>-?\d{1,3}\.(?P<lond>\d{3,8}))°?(?!\d|\.\d)")
_DMS = re.compile(
    r"(?P<d1>\d{1,2})\s*°\s*(?P<m1>\d{1,2})\s*['′’]\s*(?:(?P<s1>\d{1,2}(?:[.,]\d+)?)\s*"
    r"(?:[\"″”]|''))?\s*(?P<h1>[NSns])\W{0,3}(?P<d2>\d{1,3})\s*°\s*(?P<m2>\d{1,2})\s*['′’]\s*"
    r"(?:(?P<s2>\d{1,2}(?:[.,]\d+)?)\s*(?:[\"″”]|''))?\s*(?P<h2>[EWOewo])(?![A-Za-z])")
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                   r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_IBAN = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?")
_NOT_ID_CHAR = re.compile(r"[^0-9A-Za-zñÑ&]")
_BOUND_BEFORE = r"(?<![0-9A-Za-z])(?<![0-9][.\-/])"
_BOUND_AFTER = r"(?![0-9A-Za-z])(?![.\-/][0-9])"


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    severity: Severity
    score: float
    start: int
    end: int
    explanation: str


@dataclass(frozen=True, slots=True)
class _IdType:
    id: str
    name: str
    formatted: tuple[re.Pattern[str], ...]  # unbounded, for fullmatch on a candidate
    bare: tuple[re.Pattern[str], ...]
    context: re.Pattern[str]
    context_words: frozenset[str]


def _bounded(pattern: str) -> re.Pattern[str]:
    return re.compile(_BOUND_BEFORE + "(?:" + pattern + ")" + _BOUND_AFTER, re.IGNORECASE)


def _compact_id(candidate: str) -> str:
    return _NOT_ID_CHAR.sub("", candidate).upper()


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)


class Finders:
    """All generic recognisers, compiled once from the detector's data files."""

    def __init__(self, patterns: dict[str, Any], ids: dict[str, Any], ibans: dict[str, Any],
                 region: str | None) -> None:
        self.region = (region or "ZZ").upper()
        self.id_types = tuple(
            _IdType(t["id"], t["name"],
                    tuple(re.compile(p, re.IGNORECASE) for p in t["formatted"]),
                    tuple(_bounded(p) for p in t["bare"]), word_pattern(t["context"]),
                    frozenset(t["context"]))
            for t in ids["id_types"])
        # One pass finds every candidate in an official layout; one pass finds the words that
        # allow bare digits.
        self.id_formatted = _bounded("|".join(f"(?:{p})" for t in ids["id_types"]
                                              for p in t["formatted"]))
        self.id_words = word_pattern([w for t in ids["id_types"] for w in t["context"]])
        unknown = {t.id for t in self.id_types} - VALIDATORS.keys()
        if unknown:
            raise ValueError(f"no validator for identity number types {sorted(unknown)}")
        self.iban_lengths: dict[str, int] = {str(k): int(v) for k, v in ibans["lengths"].items()}
        self.residence = word_pattern(patterns["residence_words"])
        self.coordinate_words = word_pattern(patterns["coordinate_words"])
        self.ip_ignore = frozenset(patterns["ip_ignore"])
        self.ip_not_before = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(w) for w in patterns["ip_not_before"])
            + r")\s*[:.]?\s*$")
        self.ip_words = word_pattern(patterns["ip_words"])
        self.plate_words = word_pattern(patterns["plate_words"])
        self.vehicle_words = word_pattern(patterns["vehicle_words"])
        self.plate_cue = word_pattern(patterns["plate_words"] + patterns["vehicle_words"])
        self.plates = tuple(
            (p["country"], re.compile(_BOUND_BEFORE + "(?:" + p["pattern"] + ")" + _BOUND_AFTER,
                                      re.IGNORECASE if p["case"] == "any" else 0))
            for p in patterns["plates"])
        self.not_tlds = frozenset(patterns["email_not_tlds"])
        self.addresses = AddressFinder(patterns)

    # -- entry point ------------------------------------------------------------------------
    def find(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        low = ""
        at = "@" in text and _EMAIL_CUE.search(text) is not None
        disguised = any(cue in text for cue in _OBFUSCATED_CUES)
        if at or disguised:
            low = plain(text)
            hits.extend(self._emails(text, low, at, disguised))
        ndigits = len(_NON_DIGIT.sub("", text))
        if not ndigits:
            return hits
        low = low or plain(text)
        taken = [(h.start, h.end) for h in hits]
        if ndigits >= 4:
            for found in (self._coordinates(text, low), self._ips(text, low)):
                hits.extend(h for h in found if not _overlaps(h.start, h.end, taken))
                taken = [(h.start, h.end) for h in hits]
        if ndigits >= 6:
            for found in (self._ids(text, low, taken), self._ibans(text, taken)):
                hits.extend(found)
                taken = [(h.start, h.end) for h in hits]
        if ndigits >= 7:
            hits.extend(h for h in self._phones(text, low) if not _overlaps(h.start, h.end, taken))
            taken = [(h.start, h.end) for h in hits]
        hits.extend(h for h in self._addresses(text, low) if not _overlaps(h.start, h.end, taken))
        if ndigits >= 2 and self.plate_cue.search(low):
            taken = [(h.start, h.end) for h in hits]
            hits.extend(self._plates(text, low, taken))
        return hits

    # -- recognisers ------------------------------------------------------------------------
    def _near(self, pattern: re.Pattern[str], low: str, start: int, end: int,
              before: int = 60, after: int = 60) -> bool:
        return pattern.search(low, max(0, start - before), min(len(low), end + after)) is not None

    def _emails(self, text: str, low: str, at: bool, disguised: bool) -> list[Hit]:
        out: list[Hit] = []
        for m in _EMAIL.finditer(text) if at else ():
            if m.group("tld").lower() in self.not_tlds:
                continue
            out.append(self._contact(low, "doxing.email", m.start(), m.end(),
                                     "An email address is written out in the message"))
        for m in _EMAIL_OBFUSCATED.finditer(low) if disguised else ():
            if _overlaps(m.start(), m.end(), [(h.start, h.end) for h in out]):
                continue
            out.append(self._contact(
                low, "doxing.email", m.start(), m.end(),
                "An email address is written out in the message, disguised ('at', 'dot') to "
                "slip past filters"))
        return out

    def _contact(self, low: str, label: str, start: int, end: int, what: str) -> Hit:
        if self._near(self.residence, low, start, end):
            return Hit(label, Severity.HIGH, 0.9, start, end,
                       what + ", next to words about where someone lives or can be found")
        return Hit(label, Severity.MEDIUM, 0.75, start, end, what)

    def _phones(self, text: str, low: str) -> list[Hit]:
        out: list[Hit] = []
        for m in phonenumbers.PhoneNumberMatcher(text, self.region):
            region = phonenumbers.region_code_for_number(m.number) or "unknown country"
            kind = ("mobile " if phonenumbers.number_type(m.number)
                    == phonenumbers.PhoneNumberType.MOBILE else "")
            out.append(self._contact(low, "doxing.phone", m.start, m.end,
                                     f"A valid {kind}phone number ({region}) is written out in "
                                     "the message"))
        return out

    def _ids(self, text: str, low: str, taken: list[tuple[int, int]]) -> list[Hit]:
        out: list[Hit] = []
        claimed = list(taken)

        def add(t: _IdType, s: int, e: int, score: float, how: str) -> None:
            claimed.append((s, e))
            out.append(Hit("doxing.id_number", Severity.HIGH, score, s, e,
                           f"{t.name} exposed: {how}, and its check digits are valid"))

        for m in self.id_formatted.finditer(text):
            s, e, candidate = m.start(), m.end(), m.group()
            if _overlaps(s, e, claimed):
                continue
            compact = _compact_id(candidate)
            for t in self.id_types:
                if any(p.fullmatch(candidate) for p in t.formatted) and VALIDATORS[t.id](compact):
                    near = self._near(t.context, low, s, e, 40, 20)
                    add(t, s, e, 0.97 if near else 0.9, "written in its official layout")
                    break
        words = {m.group() for m in self.id_words.finditer(low)}
        for t in self.id_types:
            if not t.bare or not words & t.context_words:
                continue
            for pattern in t.bare:
                for m in pattern.finditer(text):
                    s, e = m.start(), m.end()
                    if (not _overlaps(s, e, claimed) and self._near(t.context, low, s, e, 40, 20)
                            and VALIDATORS[t.id](_compact_id(m.group()))):
                        add(t, s, e, 0.9, "named as such in the message")
        return out

    def _ibans(self, text: str, taken: list[tuple[int, int]]) -> list[Hit]:
        out: list[Hit] = []
        for m in _IBAN.finditer(text):
            length = self.iban_lengths.get(m.group()[:2])
            if length is None:
                continue
            end, count = m.start(), 0
            while end < m.end() and count < length:
                count += text[end] != " "
                end += 1
            compact = text[m.start():end].replace(" ", "")
            if _overlaps(m.start(), end, taken) or not iban(compact, self.iban_lengths):
                continue
            out.append(Hit("doxing.iban", Severity.HIGH, 0.95, m.start(), end,
                           f"A bank account number (IBAN, {compact[:2]}) is written out; its "
                           "check digits are valid"))
        return out

    def _coordinates(self, text: str, low: str) -> list[Hit]:
        out: list[Hit] = []
        for m in _DECIMAL_COORDS.finditer(text):
            lat, lon = float(m.group("lat")), float(m.group("lon"))
            if abs(lat) > 90 or abs(lon) > 180 or (abs(lat) < 0.5 and abs(lon) < 0.5):
                continue
            decimals = min(len(m.group("latd")), len(m.group("lond")))
            cue = (self._near(self.coordinate_words, low, m.start(), m.end(), 40, 20)
                   or text[max(0, m.start() - 3):m.start()].endswith(("@", "q=", "ll=")))
            if (decimals < 4 or m.group("sep").isspace()) and not cue:
                continue
            out.append(Hit("doxing.coordinates", Severity.HIGH, 0.95 if cue else 0.8,
                           m.start(), m.end(),
                           "Geographic coordinates (latitude, longitude) precise to a "
                           "building are written out"))
        if "°" in text:
            for m in _DMS.finditer(text):
                d1, m1, d2, m2 = (int(m.group(g)) for g in ("d1", "m1", "d2", "m2"))
                secs = [float((m.group(g) or "0").replace(",", ".")) for g in ("s1", "s2")]
                if d1 > 90 or d2 > 180 or m1 >= 60 or m2 >= 60 or max(secs) >= 60:
                    continue
                out.append(Hit("doxing.coordinates", Severity.HIGH, 0.95, m.start(), m.end(),
                               "Geographic coordinates in degrees, minutes and seconds are "
                               "written out"))
        return out

    def _ips(self, text: str, low: str) -> list[Hit]:
        out: list[Hit] = []
        candidates = list(_IPV4.finditer(text))
        if text.count(":") >= 2:
            candidates += [m for m in _IPV6.finditer(text)
                           if "::" in m.group() or m.group().count(":") == 7]
        for m in candidates:
            value = m.group()
            if value in self.ip_ignore or \
                    self.ip_not_before.search(low[max(0, m.start() - 12):m.start()]):
                continue
            try:
                ip = ipaddress.ip_address(value)
            except ValueError:
                continue
            if ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_link_local \
                    or ip.is_reserved:
                continue
            cue = self._near(self.ip_words, low, m.start(), m.end(), 40, 20)
            if ip.is_private:
                out.append(Hit("doxing.ip", Severity.LOW, 0.6 + 0.1 * cue, m.start(), m.end(),
                               "A private (home or office network) IP address is written out"))
            else:
                out.append(Hit("doxing.ip", Severity.MEDIUM, 0.8 + 0.1 * cue, m.start(),
                               m.end(), "A public IP address is written out; it can reveal "
                               "someone's internet connection and rough location"))
        return out

    def _plates(self, text: str, low: str, taken: list[tuple[int, int]]) -> list[Hit]:
        out: list[Hit] = []
        claimed = list(taken)
        for country, pattern in self.plates:
            for m in pattern.finditer(text):
                if _overlaps(m.start(), m.end(), claimed):
                    continue
                if self._near(self.plate_words, low, m.start(), m.end(), 40, 20):
                    severity, score, cue = Severity.MEDIUM, 0.8, "the word for a plate"
                elif self._near(self.vehicle_words, low, m.start(), m.end(), 40, 20):
                    severity, score, cue = Severity.LOW, 0.6, "a vehicle word"
                else:
                    continue
                claimed.append((m.start(), m.end()))
                out.append(Hit("doxing.plate", severity, score, m.start(), m.end(),
                               f"A vehicle plate in the {country} format, next to {cue}"))
        return out

    def _addresses(self, text: str, low: str) -> list[Hit]:
        return [Hit("doxing.address", Severity.HIGH, a.score, a.start, a.end,
                    "A street address (street and house number) is written out ("
                    + ", ".join(a.cues) + ")")
                for a in self.addresses.find(text, low)]
