"""Domains that imitate a service defenders log into (services.yaml): homographs written with
Cyrillic or Greek letters, punycode, digit and letter swaps ("faceb00k", "rnicrosoft"), near
misspellings ("gooogle", "whatsap"), the service's name on someone else's domain
("accounts-google.verify-login.com", "whatsapp-seguranca.net") and its name on a suffix it
does not use ("paypal.com.co"). The service's real domains are never flagged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from amparo.detect.links_extract import Host
from amparo.detect.normalize import within_edits


@dataclass(frozen=True, slots=True)
class Verdict:
    service: str
    how: str  # a phrase: "is one letter away from 'google'"
    score: float


@dataclass(frozen=True, slots=True)
class _Name:
    word: str
    skeleton: str
    service: str
    weak: bool  # an ordinary word too: needs a lure word next to it
    limit: int  # edits tolerated (0 for weak names)


def _allowed_distance(word: str) -> int:
    """Edits tolerated: none for short names (too many real words nearby), 1, then 2."""
    return 0 if len(word) <= 5 else 1 if len(word) <= 8 else 2


def _scripts(text: str) -> str:
    names = sorted({unicodedata.name(ch, "?").split()[0].title() for ch in text
                    if not ch.isascii() and ch.isalpha()})
    return " and ".join(names) or "non-Latin"


class Lookalikes:
    def __init__(self, services: dict[str, Any], confusables: dict[str, Any]) -> None:
        self._chars = str.maketrans({str(k): str(v) for k, v in confusables["characters"].items()})
        self._seqs = [(str(k), str(v)) for k, v in confusables["sequences"].items()]
        self._official: dict[str, str] = {}
        self._any_cc: dict[str, str] = {}
        self._names: list[_Name] = []
        self._by_skeleton: dict[str, _Name] = {}
        for entry in services["services"]:
            service = str(entry["service"])
            for domain in entry.get("official", []):
                self._official[str(domain)] = service
            for weak, key in ((False, "names"), (True, "weak_names")):
                for word in entry.get(key, []):
                    limit = 0 if weak else _allowed_distance(str(word))
                    name = _Name(str(word), self.skeleton(str(word)), service, weak, limit)
                    self._names.append(name)
                    self._by_skeleton.setdefault(name.skeleton, name)
                    if entry.get("any_country_tld"):
                        self._any_cc[name.word] = service
        self._lures = {self.skeleton(str(w)) for w in services["lure_words"]}
        self._exempt = {str(w) for w in services.get("not_lookalikes", [])}
        self._user_content = tuple(str(d) for d in services.get("user_content", []))

    @lru_cache(maxsize=65_536)  # noqa: B019 - one instance per detector, kept for its life
    def skeleton(self, text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.lower())
        out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        out = out.translate(self._chars)
        for seq, repl in self._seqs:
            out = out.replace(seq, repl)
        return out

    def official(self, host: Host) -> str | None:
        """The service whose own domain this is, if any."""
        if self._hosted(host):
            return None
        parts = host.unicode.split(".")
        for i in range(len(parts) - 1):
            service = self._official.get(".".join(parts[i:]))
            if service is not None:
                return service
        cc = host.suffix.rsplit(".", 1)[-1]
        if host.name in self._any_cc and len(cc) == 2 and cc.isascii():
            return self._any_cc[host.name]
        return None

    def _hosted(self, host: Host) -> str | None:
        """The hosting platform ('blogspot.com') under which anyone can name a subdomain."""
        for platform in self._user_content:
            if host.unicode.endswith("." + platform):
                return platform
        return None

    def _near(self, word: str) -> tuple[_Name, str] | None:
        """The protected name `word` imitates, and how; None if it imitates none."""
        if word in self._exempt:
            return None
        sk = self.skeleton(word)
        flat = sk.replace("-", "")
        name = self._by_skeleton.get(sk) or self._by_skeleton.get(flat)
        if name is not None:
            if word == name.word:
                return name, "exact"
            if not word.isascii():
                return name, "homograph"
            return name, "hyphen" if "-" in word and flat == name.skeleton else "swap"
        for name in self._names:
            limit = name.limit
            if (limit and flat[:1] == name.skeleton[:1] and abs(len(flat) - len(name.skeleton))
                    <= limit and within_edits(flat, name.skeleton, limit)):
                return name, "typo"
        return None

    @lru_cache(maxsize=65_536)  # noqa: B019 - one instance per detector, kept for its life
    def judge(self, host: Host) -> Verdict | None:
        if host.ip or not host.suffix or self.official(host) is not None:
            return None
        hosted = self._hosted(host)
        if hosted:  # judge only the part the platform's user chose
            own = host.unicode[: -len(hosted) - 1].split(".")
            return self._words(host, [w for p in own for w in p.split("-") if w], hosted)
        hit = self._near(host.name)
        if hit is not None:
            name, how = hit
            if how == "exact" and not name.weak:
                return Verdict(name.service, f"uses the name '{name.word}' on "
                               f"'{host.registrable}', a domain {name.service} does not use", 0.8)
            if how == "homograph":
                decoded = f" ('{host.ascii}' decoded)" if host.ascii != host.unicode else ""
                return Verdict(name.service, f"spells '{name.word}' with look-alike "
                               f"{_scripts(host.name)} letters in '{host.unicode}'{decoded}",
                               0.95)
            if how in ("swap", "hyphen"):
                what = "a hyphen" if how == "hyphen" else "look-alike characters"
                return Verdict(name.service, f"spells '{name.word}' with {what} as "
                               f"'{host.name}'", 0.9)
            if how == "typo":
                return Verdict(name.service, f"misspells '{name.word}' as '{host.name}'", 0.8)
        parts = (host.subdomain.split(".") if host.subdomain else []) + [host.name]
        words = [w for part in parts for w in part.split("-") if w]
        if len(words) > 1:
            return self._words(host, words, None)
        return self._joined(host.name)

    def _words(self, host: Host, words: list[str], hosted: str | None) -> Verdict | None:
        """A service's name, or a near miss, among the words of the address; ordinary words
        ("apple", "live") only beside a lure word ("login", "seguranca")."""
        lure = any(self.skeleton(w) in self._lures for w in words)
        for word in words:
            hit = self._near(word)
            if hit is None or (hit[0].weak and not lure):
                continue
            name = hit[0]
            if hosted:
                where = f"'{host.unicode}', an address anyone can create on {hosted}"
            elif host.unicode == host.registrable:
                where = f"the domain '{host.registrable}', which is not {name.service}'s"
            else:
                where = (f"'{host.unicode}', on the domain '{host.registrable}', which is not "
                         f"{name.service}'s")
            return Verdict(name.service, f"puts '{word}' in {where}", 0.85)
        for word in words:
            joined = self._joined(word)
            if joined is not None:
                return joined
        return None

    def _joined(self, label: str) -> Verdict | None:
        """'googleaccounts', 'paypalsecure', 'loginwhatsapp': a name glued to a lure word."""
        flat = self.skeleton(label).replace("-", "")
        for name in self._names:
            sk = name.skeleton
            if len(sk) < 4 or sk not in flat or flat == sk:
                continue
            rest = flat.replace(sk, "", 1)
            if rest in self._lures:
                plain = label.lower().replace("-", "")
                shown = plain.replace(name.word, "", 1) if name.word in plain else rest
                return Verdict(name.service, f"joins '{name.word}' and '{shown}' in the "
                               f"name '{label}'", 0.85)
        return None
