"""Indicator collections: domains, URLs, IP addresses and e-mail addresses that investigators
(Amnesty Tech, Citizen Lab, the MVT project, a helpline's own MISP) tied to spyware or
phishing. Each indicator keeps the report it came from, so a finding can say where it is listed.

`load_indicator_file(path)` reads a STIX 2 bundle (MVT's .stix2 files included), a MISP JSON
event, a CSV or a plain list, recognised by content; `save_collection` / `load_collections`
keep collections as compact JSON files in a folder (the workspace's `indicators/`). Reading
never contacts anything: values are only compared, never resolved or opened.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import idna

from amparo.errors import AmparoError

FORMAT = "amparo-indicators/1"
KINDS = ("domain", "url", "ip", "email")


class IndicatorError(AmparoError, ValueError):
    """A file that cannot be read as indicators; the message names the file and where."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where indicators come from: 'Amnesty Tech', 'NSO Group Pegasus', '2021-07-18_nso'."""

    title: str
    publisher: str = ""
    ref: str = ""
    threat: str = ""  # "spyware" when the publisher says so; "" = decided by spyware words


@dataclass
class IndicatorCollection:
    name: str
    description: str = ""
    origin: str = ""  # the file it was imported from
    sources: list[Source] = field(default_factory=list)
    # kind -> normalised value -> indices into `sources`
    values: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS})
    skipped: list[str] = field(default_factory=list)  # values left out on import, and where

    def add(self, kind: str, value: str, source: Source) -> None:
        try:
            index = self.sources.index(source)
        except ValueError:
            index = len(self.sources)
            self.sources.append(source)
        found = self.values[kind].setdefault(value, [])
        if index not in found:
            found.append(index)

    def add_raw(self, raw: str, source: Source, hint: str | None = None) -> None:
        kind, value = classify(raw, hint)
        self.add(kind, value, source)

    def merge(self, other: IndicatorCollection) -> None:
        for kind, table in other.values.items():
            for value, indices in table.items():
                for i in indices:
                    self.add(kind, value, other.sources[i])

    def __len__(self) -> int:
        return sum(len(table) for table in self.values.values())

    def counts(self) -> dict[str, int]:
        return {kind: len(table) for kind, table in self.values.items()}

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT, "name": self.name, "description": self.description,
            "origin": self.origin,
            "sources": [{"title": s.title, "publisher": s.publisher, "ref": s.ref,
                         "threat": s.threat} for s in self.sources],
            **{kind + "s": {v: idx for v, idx in sorted(self.values[kind].items())}
               for kind in KINDS},
        }


# ---------------------------------------------------------------- values

_DEFANG = [(re.compile(p, re.IGNORECASE), r) for p, r in (
    (r"\s*[\[\(\{]\s*(?:\.|dot)\s*[\]\)\}]\s*", "."), (r"\[:\]|\(:\)", ":"),
    (r"\[(?:@|at)\]|\((?:@|at)\)", "@"), (r"^h(?:xx|\*\*)p", "http"), (r"^fxp", "ftp"),
    (r"\[/\]", "/"),
)]
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def refang(text: str) -> str:
    """'hxxps://evil[.]com' -> 'https://evil.com'."""
    text = text.strip().strip("\"'<>")
    for pattern, repl in _DEFANG:
        text = pattern.sub(repl, text)
    return text


def idna_ascii(host: str) -> str | None:
    """The ASCII (punycode) form of a host name under IDNA 2008 with UTS #46 mapping, as
    browsers resolve it, or None if IDNA 2008 does not allow it. Not Python's "idna" codec,
    which is IDNA 2003: it turns 'faß.de' into 'fass.de' (another domain, with another owner)
    and silently drops a zero-width joiner. Labels that are already ASCII pass unchanged (the
    callers check them; feeds list hosts such as '_dmarc.example.org')."""
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        return ".".join(label if label.isascii() else idna.alabel(label).decode("ascii")
                        for label in mapped.split("."))
    except (idna.IDNAError, UnicodeError):
        return None


def host_key(host: str) -> str | None:
    """Lower-case ASCII (punycode) form of a host name, or None if it is not one."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("*."):
        host = host[2:]
    if not host.isascii():
        encoded = idna_ascii(host)
        if encoded is None:
            return None
        host = encoded
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    if not _TLD.match(labels[-1]):
        return None
    return host


def url_key(url: str) -> str | None:
    """'HTTPS://Evil.com/a/?q#frag' -> 'evil.com/a/?q': no scheme, no fragment, no final '/'."""
    url = _SCHEME.sub("", url.strip()).split("#", 1)[0]
    cut = len(url)
    for sep in "/?":
        pos = url.find(sep)
        if pos != -1:
            cut = min(cut, pos)
    host, rest = url[:cut], url[cut:]
    host = host.rsplit("@", 1)[-1]
    if host.endswith((":80", ":443")):
        host = host.rsplit(":", 1)[0]
    hostname = host.split(":", 1)[0] if not host.startswith("[") else host
    key = host_key(hostname) or ip_key(hostname.strip("[]"))
    if key is None:
        return None
    if ":" in host and not host.startswith("["):
        key += ":" + host.split(":", 1)[1]
    return (key + rest).rstrip("/")


def ip_key(text: str) -> str | None:
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def classify(raw: str, hint: str | None = None) -> tuple[str, str]:
    """(kind, normalised value) of one indicator, or ValueError saying what it is not."""
    value = refang(raw)
    if not value:
        raise ValueError("empty value")
    if hint in (None, "email") and _EMAIL.match(value):
        local, _, domain = value.rpartition("@")
        host = host_key(domain)
        if host:
            return "email", f"{local.lower()}@{host}"
    if hint in (None, "ip", "domain"):
        ip = ip_key(value)
        if ip:
            return "ip", ip
    if hint in (None, "domain", "url") and "/" not in value and ":" not in value:
        host = host_key(value)
        if host:
            return "domain", host
    if hint in (None, "url", "domain") and ("/" in value or _SCHEME.match(value)):
        url = url_key(value)
        if url:
            if "/" not in url and "?" not in url:  # only a host after all
                return ("ip", url) if ip_key(url) else ("domain", url)
            return "url", url
    wanted = {"email": "an e-mail address", "ip": "an IP address", "url": "a URL",
              "domain": "a domain or URL"}.get(hint or "", "a domain, URL, IP or e-mail address")
    raise ValueError(f"{raw.strip()[:80]!r} is not {wanted}")


# ---------------------------------------------------------------- collections on disk


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "indicators"


def save_collection(collection: IndicatorCollection, folder: str | Path) -> Path:
    """Write `collection` as `<folder>/<name>.json` (atomically; replaces one of that name)."""
    target_dir = Path(folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{_slug(collection.name)}.json"
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(collection.to_json(), out, ensure_ascii=False, separators=(",", ":"))
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def collection_from_json(data: object, where: str) -> IndicatorCollection:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndicatorError(f"{where}: not an Amparo indicator collection ({FORMAT})")
    try:
        sources = [Source(str(s["title"]), str(s.get("publisher", "")), str(s.get("ref", "")),
                          str(s.get("threat", ""))) for s in data["sources"]]
        coll = IndicatorCollection(str(data["name"]), str(data.get("description", "")),
                                   str(data.get("origin", "")), sources)
        for kind in KINDS:
            table = data.get(kind + "s", {})
            for value, indices in table.items():
                if not all(isinstance(i, int) and 0 <= i < len(sources) for i in indices):
                    raise IndicatorError(f"{where}: {kind} {value!r} refers to a missing source")
                coll.values[kind][value] = list(indices)
    except (KeyError, TypeError, AttributeError) as exc:
        raise IndicatorError(f"{where}: malformed indicator collection ({exc!r})") from None
    return coll


def load_collections(folder: str | Path) -> list[IndicatorCollection]:
    """Every collection saved in `folder` (none if the folder does not exist), by name."""
    root = Path(folder)
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndicatorError(f"{path}: unreadable indicator collection: {exc}") from None
        out.append(collection_from_json(data, str(path)))
    return out


def load_indicator_file(path: str | Path, name: str | None = None, publisher: str = "",
                        strict: bool = False) -> IndicatorCollection:
    """Read STIX 2 (bundle or MVT .stix2), MISP JSON, CSV or a plain list, told apart by
    content. `name` defaults to the file name without its extension.

    Raises IndicatorError naming the file and the line (or JSON object) at fault when the file
    is unreadable, holds no indicators, or more than a few values (over 10%) are not
    indicators. Public feeds carry the odd typo ("despachosnegocios" in MVT's Predator file):
    such values are left out and listed, with where they are, in `collection.skipped`, unless
    `strict`, where the first one is an error."""
    from amparo.detect import links_feeds  # the parsers build on this module

    return links_feeds.read(Path(path), name, publisher, strict)


# ---------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Listing:
    """One place an indicator is listed."""

    collection: str
    source: Source
    spyware: bool

    def describe(self) -> str:
        """"Amnesty Tech's 'NSO Group Pegasus' indicators (2021-07-18_nso)"."""
        owner = f"{self.source.publisher}'s" if self.source.publisher else \
            f"the '{self.collection}' collection's"
        ref = f" ({self.source.ref})" if self.source.ref else ""
        return f"{owner} '{self.source.title}' indicators{ref}"


class IndicatorIndex:
    """All loaded collections, merged for lookups: value -> where it is listed."""

    def __init__(self, collections: Sequence[IndicatorCollection],
                 spyware_words: Sequence[str] = ()) -> None:
        words = "|".join(re.escape(w).replace(r"\ ", r"[\s_-]*") for w in spyware_words)
        spy = re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE) if words else None
        self.tables: dict[str, dict[str, tuple[Listing, ...]]] = {k: {} for k in KINDS}
        self.networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                  tuple[Listing, ...]]] = []
        for coll in collections:
            listings = []
            for s in coll.sources:
                text = f"{s.title} {s.ref} {s.publisher}"
                is_spy = s.threat == "spyware" or (
                    not s.threat and spy is not None and spy.search(text) is not None)
                listings.append(Listing(coll.name, s, is_spy))
            for kind, table in coll.values.items():
                target = self.tables[kind]
                for value, indices in table.items():
                    found = tuple(listings[i] for i in indices)
                    target[value] = target.get(value, ()) + found
        for value, found in list(self.tables["ip"].items()):
            if "/" in value:
                network = ipaddress.ip_network(value)
                if network.num_addresses == 1:
                    self.tables["ip"][str(network.network_address)] = found
                else:
                    self.networks.append((network, found))

    def __len__(self) -> int:
        return sum(len(t) for t in self.tables.values())

    def domain(self, host: str) -> tuple[str, tuple[Listing, ...]] | None:
        """(listed domain, listings) for `host` or the nearest listed domain above it."""
        table = self.tables["domain"]
        if not table:
            return None
        while "." in host:
            found = table.get(host)
            if found:
                return host, found
            host = host.split(".", 1)[1]
        return None

    def url(self, key: str) -> tuple[str, tuple[Listing, ...]] | None:
        """The listed URL equal to `key`, or the longest listed one it starts with at a '/'."""
        table = self.tables["url"]
        if not table:
            return None
        key = key.split("?", 1)[0] if key not in table else key
        while True:
            found = table.get(key)
            if found:
                return key, found
            if "/" not in key:
                return None
            key = key.rsplit("/", 1)[0]

    def ip(self, value: str) -> tuple[str, tuple[Listing, ...]] | None:
        found = self.tables["ip"].get(value)
        if found:
            return value, found
        if self.networks:
            try:
                addr = ipaddress.ip_address(value)
            except ValueError:
                return None
            for network, listings in self.networks:
                if addr.version == network.version and addr in network:
                    return str(network), listings
        return None

    def email(self, address: str) -> tuple[str, tuple[Listing, ...]] | None:
        found = self.tables["email"].get(address)
        return (address, found) if found else None
