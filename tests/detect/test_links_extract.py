"""Finding links in text: URLs, bare and defanged domains, IPs, e-mail addresses; and what is
not a link (file names, versions, abbreviations, sentence ends, mentions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.detect.links_extract import extract

# (text, [(kind, text as written, host as read)])
TABLE = [
    ("visit https://evil.com/login now", [("url", "https://evil.com/login", "evil.com")]),
    ("go to evil-site.com/login.", [("url", "evil-site.com/login", "evil-site.com")]),
    ("I went to google.com.", [("domain", "google.com", "google.com")]),
    ("www.example.org is up", [("url", "www.example.org", "www.example.org")]),
    ("hxxps://evil[.]com/x", [("url", "hxxps://evil[.]com/x", "evil.com")]),
    ("hXXp://evil[.]com", [("url", "hXXp://evil[.]com", "evil.com")]),
    ("hxxps[:]//evil[.]com/a", [("url", "hxxps[:]//evil[.]com/a", "evil.com")]),
    ("evil(.)com and evil(dot)net", [("domain", "evil(.)com", "evil.com"),
                                     ("domain", "evil(dot)net", "evil.net")]),
    ("evil [dot] org", [("domain", "evil [dot] org", "evil.org")]),
    ("http://185.82.202.155:8080/x", [("url", "http://185.82.202.155:8080/x",
                                       "185.82.202.155")]),
    ("servidor 185.82.202.155 caiu", [("ip", "185.82.202.155", "185.82.202.155")]),
    ("http://[2001:db8::1]/x", [("url", "http://[2001:db8::1]/x", "2001:db8::1")]),
    ("xn--80ak6aa92e.com", [("domain", "xn--80ak6aa92e.com", "аррӏе.com")]),
    ("gооgle.com", [("domain", "gооgle.com", "gооgle.com")]),
    ("(see https://en.wikipedia.org/wiki/Foo_(bar)).",
     [("url", "https://en.wikipedia.org/wiki/Foo_(bar)", "en.wikipedia.org")]),
    ("«https://exemplo.com.br/noticia», disse", [("url", "https://exemplo.com.br/noticia",
                                                  "exemplo.com.br")]),
    ("escreva para maria.silva@gmail.com", [("email", "maria.silva@gmail.com", "gmail.com")]),
    ("http://google.com@evil.com/x", [("url", "http://google.com@evil.com/x", "evil.com")]),
    ("زوروا الموقع evil-site.com/login الآن", [("url", "evil-site.com/login", "evil-site.com")]),
    # not links
    ("see file.txt and photo.jpg", []),
    ("e.g. this, i.e. that", []),
    ("version 2.0.1 or v3.14", []),
    ("run setup.py and read notes.md", []),
    ("ping @maria.silva now", []),
    ("Fim.Com certeza", []),
    ("It ended. Then we left.", []),
    ("see [...] and [1:2]", []),
    ("1.2.3.456 is not an address", []),
    ("my_file.com_backup", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_extract(text: str, expected: list[tuple[str, str, str]]) -> None:
    links = extract(text)
    assert [(link.kind, link.text, link.host.unicode) for link in links] == expected
    for link in links:
        assert text[link.start:link.end] == link.text


def test_defanged_flag_and_keys() -> None:
    (link,) = extract("hxxps://Evil[.]com/Login?x=1")
    assert link.defanged
    assert link.url == "evil.com/Login?x=1"
    (plain,) = extract("https://evil.com/")
    assert not plain.defanged and plain.url is None
    (mail,) = extract("Bad.Actor@Evil.com")
    assert mail.email == "bad.actor@evil.com"


def test_punycode_host_keeps_ascii_key() -> None:
    (link,) = extract("gооgle.com")
    assert link.host.ascii.startswith("xn--")
    assert link.host.name == "gооgle" and link.host.suffix == "com"


@given(st.text(alphabet=st.sampled_from(list("abcxyz019.-/:@[]()_ hXtps\u043e\u00e9")),
               max_size=60))
def test_extract_never_fails_and_spans_point_into_the_text(text: str) -> None:
    for link in extract(text):
        assert text[link.start:link.end] == link.text
        assert link.kind in ("url", "domain", "email", "ip")
