"""Find links in text: URLs, bare domains ("evil-site.com/login"), defanged forms
("hxxps://evil[.]com", "evil(dot)com"), IP-literal URLs, punycode and Unicode host names, and
e-mail addresses (kept apart: an address is only compared with indicator lists).

Nothing here resolves or opens anything. A bare domain counts only when its suffix is a real
public suffix (tldextract's bundled snapshot, never fetched), so "file.txt", "e.g." and
"v2.0.1" are not links. A cheap regex tells in one pass whether a text can hold a link at all;
most messages stop there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tldextract

from amparo.detect.indicators import idna_ascii, ip_key, url_key

# "." or a defanged dot: "[.]", "(.)", "{.}", "[dot]", "(dot)", optionally spaced.
_SEP = r"(?:\.|\s?[\[\(\{]\s?(?:\.|dot)\s?[\]\)\}]\s?)"
_LABEL = r"[^\W_][\w-]*"
# Any letter or digit, a (possibly defanged) dot, a letter or digit: the cheap first look.
_HINT = re.compile(r"[^\W_]" + _SEP + r"[^\W_]|//\[", re.IGNORECASE)
_LINK = re.compile(
    r"(?<![\w@.\-/\\])"
    r"(?:(?P<scheme>h(?:tt|xx|\*\*)ps?|fxp|ftps?)(?:://|\[:\]//|\[://\]|\(:\)//)"
    r"(?:[^\s/@\[\]]+@)?"
    r"|(?P<local>[\w.+\-]+)(?:@|\[@\]|\[at\]|\(at\)))?"
    r"(?P<host>" + _LABEL + r"(?:" + _SEP + _LABEL + r")+|\[[0-9a-f]*:[0-9a-f:.]+\])"
    r"(?P<port>:\d{1,5}(?!\d))?"
    r"(?P<path>[/?#][^\s<>\"'`«»“”‘’]*)?",
    re.IGNORECASE)
_DEFANGED_SEP = re.compile(r"\s?[\[\(\{]\s?(?:\.|dot)\s?[\]\)\}]\s?", re.IGNORECASE)
_HOST_LABEL = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")
_TLD = re.compile(r"^(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$")
_TRAILING = ".,;:!?'\"*_>]}…"
# Bare names ending like a file, not a site: "setup.py", "notes.md", "run.sh", "main.rs".
_FILE_SUFFIXES = frozenset({"py", "sh", "md", "rs", "zip", "mov", "pm", "pl", "ps", "cs"})

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True, slots=True)
class Host:
    ascii: str  # punycode, lower case: what indicator lists hold
    unicode: str  # what a person sees: "аррӏе.com"
    subdomain: str  # unicode parts, as tldextract splits the name
    name: str  # the registrable label: "google" in "mail.google.com.br"
    suffix: str  # public suffix: "com.br"; "" when the name has none (IP, ".local")
    ip: bool = False

    @property
    def registrable(self) -> str:
        return f"{self.name}.{self.suffix}" if self.suffix else self.unicode


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    text: str  # as written
    kind: str  # "url" (scheme, www. or a path), "domain" (bare name), "email", "ip"
    host: Host
    url: str | None  # indicator key of the whole URL ("evil.com/login"), when it has a path
    email: str | None  # "user@evil.com" for e-mail addresses
    defanged: bool


def _to_unicode(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


@lru_cache(maxsize=65_536)
def parse_host(raw: str) -> Host | None:
    """A host name as written (lower case, dots restored) -> Host, or None if not one."""
    labels = raw.rstrip(".").split(".")
    if len(labels) == 4 and all(label.isdigit() for label in labels):
        if all(len(label) <= 3 and int(label) <= 255 for label in labels):
            return Host(raw, raw, "", raw, "", ip=True)
        return None
    if raw.startswith("[") and raw.endswith("]"):
        address = ip_key(raw[1:-1])
        return Host(address, address, "", address, "", ip=True) if address else None
    if not all(_HOST_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        return None
    uni_labels = [_to_unicode(label) for label in labels]
    uni = ".".join(uni_labels)
    asc = raw if raw.isascii() else idna_ascii(raw) or raw
    ext = _EXTRACT(uni)
    return Host(asc, uni, ext.subdomain, ext.domain, ext.suffix)


def _trim(path: str) -> str:
    """Drop sentence punctuation after a URL; keep a ')' that closes a '(' inside it."""
    while path:
        last = path[-1]
        if last in _TRAILING or (last == ")" and path.count("(") < path.count(")")):
            path = path[:-1]
        else:
            break
    return path


def _candidates(text: str) -> list[re.Match[str]]:
    """Matches of the link pattern, searched for from the start of the word around each
    hint: scanning every word of every message with the full pattern costs more, and links
    are rare."""
    out: list[re.Match[str]] = []
    done = 0
    for hint in _HINT.finditer(text):
        at = hint.start()
        if at < done:
            continue
        start = at
        while start > done and start > at - 300 and not text[start - 1].isspace():
            start -= 1
        m = _LINK.search(text, start)
        if m is None:
            break
        out.append(m)
        done = m.end()
    return out


def extract(text: str) -> list[Link]:
    links: list[Link] = []
    for m in _candidates(text):
        raw_host = m.group("host")
        plain = _DEFANGED_SEP.sub(".", raw_host)
        host = parse_host(plain.lower())
        if host is None:
            continue
        scheme, local = m.group("scheme"), m.group("local")
        if raw_host.startswith("[") and scheme is None:
            continue  # "[::1]" only counts inside a URL
        path = _trim(m.group("path") or "")
        end = m.end("host")
        if m.group("port"):
            end = m.end("port")
        end += len(path)
        if local is not None:
            if host.ip or not host.suffix or not host.name:
                continue
            kind = "email"
        elif scheme is not None or plain.lower().startswith("www.") or path:
            kind = "ip" if host.ip and scheme is None and not path else "url"
            if not host.ip and scheme is None and (not host.suffix or not host.name):
                continue
        elif host.ip:
            kind = "ip"
        else:
            if not host.suffix or not host.name or host.suffix in _FILE_SUFFIXES:
                continue
            tld = raw_host.rsplit(".", 1)[-1]
            if tld[:1].isupper() and not tld.isupper():
                continue  # "fim.Com certeza": two sentences missing a space, not a site
            kind = "domain"
        written = text[m.start():end]
        defanged = plain != raw_host or bool(scheme and scheme[1:3].lower() in ("xx", "**"))
        url = None
        if kind == "url" and path.strip("/"):
            url = url_key(host.ascii + (m.group("port") or "") + _DEFANGED_SEP.sub(".", path))
        email = f"{local.lower()}@{host.ascii}" if local is not None else None
        links.append(Link(m.start(), end, written, kind, host, url, email, defanged))
    return links
