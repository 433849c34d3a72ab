"""Indicator collections: reading STIX 2, MISP, CSV and plain lists; saving and loading; the
bundled snapshot; errors that name the file and the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amparo.detect.indicators import (
    IndicatorCollection,
    IndicatorError,
    IndicatorIndex,
    Source,
    classify,
    load_collections,
    load_indicator_file,
    save_collection,
)
from amparo.detect.links import SNAPSHOT

IOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "iocs"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iocs"
needs_data = pytest.mark.skipif(not IOCS.is_dir(),
                                reason=f"public indicator feeds not found at {IOCS}")


@pytest.mark.parametrize(("raw", "kind", "value"), [
    ("evil.com", "domain", "evil.com"),
    ("EVIL[.]Com.", "domain", "evil.com"),
    ("sub.evil(dot)com", "domain", "sub.evil.com"),
    ("*.evil.com", "domain", "evil.com"),
    ("bücher.de", "domain", "xn--bcher-kva.de"),
    # IDNA 2008 / UTS 46 (as browsers): 'ß' is kept, not turned into 'ss' (IDNA 2003)
    ("faß.example-bad.org", "domain", "xn--fa-hia.example-bad.org"),
    ("https://STRASSE.example-bad.org/straße", "url", "strasse.example-bad.org/straße"),
    ("https://Straße.example-bad.org/x", "url", "xn--strae-oqa.example-bad.org/x"),
    ("क्‍ष.example-bad.org", "domain", "xn--11b2ezcw70k.example-bad.org"),  # joiner after virama
    ("hxxps://evil[.]com/login/", "url", "evil.com/login"),
    ("https://Evil.com:443/a?b=1#frag", "url", "evil.com/a?b=1"),
    ("evil.com/x", "url", "evil.com/x"),
    ("http://evil.com/", "domain", "evil.com"),
    ("185.82.202.155", "ip", "185.82.202.155"),
    ("10.0.0.0/8", "ip", "10.0.0.0/8"),
    ("2001:db8::1", "ip", "2001:db8::1"),
    ("Bad.Actor@Evil.com", "email", "bad.actor@evil.com"),
    ("bad[@]evil[.]com", "email", "bad@evil.com"),
])
def test_classify(raw: str, kind: str, value: str) -> None:
    assert classify(raw) == (kind, value)


@pytest.mark.parametrize("raw", ["", "despachosnegocios", "file.txt_", "1.2.3", "google@script",
                                 "d41d8cd98f00b204e9800998ecf8427e", "http//www.x.com/a",
                                 # a zero-width joiner IDNA 2003 silently dropped ('paypal')
                                 "pay\u200dpal.example-bad.org",
                                 "alerts@pay\u200dpal.example-bad.org",
                                 "-bücher.example-bad.org"])
def test_classify_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=r"is not|empty"):
        classify(raw)


def test_misp_fixture() -> None:
    coll = load_indicator_file(FIXTURES / "misp_event.json")
    assert coll.name == "misp_event"
    assert set(coll.values["domain"]) == {"conta-verificada.example-phish.com",
                                          "login.fictional-bad.net",
                                          "object-domain.fictional-bad.net"}
    assert set(coll.values["url"]) == {"short-lived.org/pt/entrar"}
    assert set(coll.values["ip"]) == {"203.0.113.77", "198.51.100.9"}
    assert set(coll.values["email"]) == {"suporte@fictional-bad.net"}
    (source,) = coll.sources
    assert source.title == "Fictional phishing wave against land defenders"
    assert source.publisher == "Fictional Helpline CERT"
    assert source.ref == "2024-03-01 MISP event 4242"


def test_stix_report_identity_and_or_patterns() -> None:
    coll = load_indicator_file(FIXTURES / "stix_report.json", name="lab")
    assert coll.values["url"] == {"smish.example-bad.org/track?id=1": [0]}
    assert "smish-two.example-bad.org" in coll.values["domain"]
    assert "192.0.2.0/28" in coll.values["ip"]
    assert coll.sources == [Source("Smishing campaign against journalists",
                                   "Fictional Research Lab", "stix_report")]
    index = IndicatorIndex([coll])
    assert index.ip("192.0.2.7") is not None
    assert index.ip("192.0.2.99") is None
    assert index.url("smish.example-bad.org/track?id=1") is not None



def test_stix_patterns_are_parsed_by_the_grammar() -> None:
    """IN sets, escaped quotes, AND, FOLLOWEDBY, e-mail senders and networks (ISSUBSET); a
    MATCHES on a file name is not a network indicator and is ignored, not refused."""
    coll = load_indicator_file(FIXTURES / "stix_operators.json")
    assert set(coll.values["domain"]) == {"update-one.example-bad.org",
                                          "update-two.example-bad.org", "cdn.example-bad.org"}
    assert set(coll.values["url"]) == {"example-bad.org/o'brien/login"}
    assert set(coll.values["email"]) == {"alerts@example-bad.org"}
    assert set(coll.values["ip"]) == {"198.51.100.0/24"}
    assert coll.skipped == []
    assert coll.sources == [Source("FictionalSpy", "Fictional Helpline CERT", "stix_operators")]


def _bundle(tmp_path: Path, *patterns: str) -> Path:
    objects = [{"type": "indicator", "spec_version": "2.1", "pattern_type": "stix",
                "id": f"indicator--00000000-0000-4000-8000-{i:012d}", "pattern": pattern}
               for i, pattern in enumerate(patterns)]
    path = tmp_path / "feed.stix2"
    path.write_text(json.dumps({"type": "bundle", "objects": objects}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("pattern", "operator"), [
    (r"[domain-name:value MATCHES '^login\\.example-bad\\.org$']", "MATCHES"),
    ("[url:value LIKE 'https://example-bad.org/%']", "LIKE"),
    ("[domain-name:value NOT = 'example-good.org']", "NOT ="),
    ("[ipv4-addr:value != '192.0.2.1']", "!="),
    ("[domain-name:value ISSUBSET 'example-bad.org']", "ISSUBSET"),
])
def test_stix_patterns_that_describe_values_are_refused(tmp_path: Path, pattern: str,
                                                        operator: str) -> None:
    """Read as a literal value, '^login\\.example-bad\\.org$' would become an indicator that
    matches nothing (or, for LIKE '%', the wrong thing): the file is refused, naming the
    indicator, whether or not the import is strict."""
    path = _bundle(tmp_path, "[domain-name:value = 'fine.example-bad.org']", pattern)
    for strict in (False, True):
        with pytest.raises(IndicatorError) as info:
            load_indicator_file(path, strict=strict)
        message = str(info.value)
        assert message.startswith(f"{path}: objects[1] (indicator--00000000-0000-4000-8000-"
                                  "000000000001)")
        assert f"compares with {operator}," in message and pattern in message


def test_stix_pattern_that_does_not_parse_is_left_out_or_refused(tmp_path: Path) -> None:
    bad = "[domain-name:value = 'half.example-bad.org'"
    path = _bundle(tmp_path, "[domain-name:value = 'fine.example-bad.org']", bad)
    coll = load_indicator_file(path)
    assert set(coll.values["domain"]) == {"fine.example-bad.org"}
    (skipped,) = coll.skipped
    assert skipped.startswith(f"{path}: objects[1] (indicator--") and "invalid STIX 2.1" in skipped
    with pytest.raises(IndicatorError, match=r"objects\[1\] .*invalid STIX 2\.1 pattern"):
        load_indicator_file(path, strict=True)

def test_plain_list_with_comments_and_defanged() -> None:
    coll = load_indicator_file(FIXTURES / "domains.txt", publisher="Helpline")
    assert coll.counts() == {"domain": 1, "url": 1, "ip": 1, "email": 0}
    assert coll.sources[0].publisher == "Helpline"


@needs_data
def test_amnesty_pegasus_stix() -> None:
    coll = load_indicator_file(IOCS / "amnesty" / "2021-07-18_nso" / "pegasus.stix2")
    assert len(coll.values["domain"]) > 1400
    assert "weather4free.com" in coll.values["domain"]
    assert coll.sources[0].title == "Pegasus"


@needs_data
def test_mvt_predator_stix_leaves_out_the_one_typo() -> None:
    coll = load_indicator_file(IOCS / "mvt-indicators" / "intellexa_predator" / "predator.stix2")
    assert len(coll.values["domain"]) > 500
    assert len(coll.skipped) == 1 and "despachosnegocios" in coll.skipped[0]
    assert "objects[" in coll.skipped[0]
    with pytest.raises(IndicatorError, match=r"predator\.stix2: objects\[\d+\] .*despachos"):
        load_indicator_file(IOCS / "mvt-indicators" / "intellexa_predator" / "predator.stix2",
                            strict=True)


@needs_data
def test_mvt_ip_indicators() -> None:
    coll = load_indicator_file(IOCS / "mvt-indicators" / "2024-12-25_eaglemsgspy"
                               / "eaglemsgspy.stix2")
    assert "47.112.137.199" in coll.values["ip"]


@needs_data
def test_amnesty_csv_domains_and_ips() -> None:
    coll = load_indicator_file(IOCS / "amnesty" / "2018-08-01_nso" / "indicators.csv")
    assert "14-tracking.com" in coll.values["domain"]
    assert "191.101.31.25" in coll.values["ip"]


@needs_data
def test_citizenlab_misp_csv_export() -> None:
    coll = load_indicator_file(IOCS / "citizenlab" / "201608_NSO_Group" / "iocs.csv")
    assert "redcrossworld.com" in coll.values["domain"]
    assert "52.8.153.44" in coll.values["ip"]
    assert coll.values["url"]


@needs_data
def test_citizenlab_misp_json() -> None:
    coll = load_indicator_file(IOCS / "citizenlab" / "201801_SpyingOnABudget"
                               / "indicators.json")
    assert "google-protected.gq" in coll.values["domain"]
    assert coll.sources[0].title.startswith("Spying on a Budget")
    assert coll.sources[0].publisher == "citizenlab"


@needs_data
def test_hash_lists_are_refused_with_the_line() -> None:
    with pytest.raises(IndicatorError, match=r"sha256\.txt: no domain.*line 1"):
        load_indicator_file(IOCS / "amnesty" / "2020-06-15_india" / "sha256.txt")


@pytest.mark.parametrize(("content", "name", "message"), [
    ("evil.com\nnot a domain\n", "list.txt", r"list\.txt line 2: 'not a domain' is not"),
    ('{"Event": {"info": "x", "Attribute": [{"type": "domain", "value": "bad value"}]}}',
     "ev.json", r"ev\.json: Event\[0\]\.Attribute\[0\] \(type 'domain'\): 'bad value'"),
    ('{"type": "bundle", "objects": [\n{"type": "indicator",\n "pattern": 5}]}', "b.stix2",
     r"b\.stix2: objects\[0\] \(None\): no pattern"),
    ('{"type": "bundle",\n "objects": [,]}', "broken.json",
     r"broken\.json line 2 column 14: invalid JSON"),
    ('{"hello": 1}', "other.json", r"other\.json: JSON, but neither a STIX 2 bundle"),
    ("domain,ip\nevil.com,1.2.3.4\nworse.com,999.1.1.1\n", "feed.csv",
     r"feed\.csv line 3: '999\.1\.1\.1' is not"),
    ("md5,name\nabc,x\n", "hashes.csv", r"hashes\.csv line 1: no indicator column"),
    ("", "empty.txt", r"empty\.txt: no domain, URL, IP or e-mail indicators"),
])
def test_bad_input_names_file_and_line(tmp_path: Path, content: str, name: str,
                                       message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IndicatorError, match=message):
        load_indicator_file(path, strict=True)


def test_many_bad_values_refuse_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text("evil.com\n" + "".join(f"junk{i}\n" for i in range(10)), encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"10 of 11 values are not indicators.*line 2"):
        load_indicator_file(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"evil.com\n\xe9vil.com\n")
    with pytest.raises(IndicatorError, match=r"latin1\.txt: not UTF-8 text \(byte 9\)"):
        load_indicator_file(path)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    coll = load_indicator_file(FIXTURES / "misp_event.json", name="Helpline MISP")
    path = save_collection(coll, tmp_path / "indicators")
    assert path.name == "helpline-misp.json"
    (again,) = load_collections(tmp_path / "indicators")
    assert again.name == "Helpline MISP"
    assert again.values == coll.values and again.sources == coll.sources
    # an exported collection can be imported again as it is
    assert load_indicator_file(path).values == coll.values
    assert load_collections(tmp_path / "missing") == []


def test_load_collections_names_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"bad\.json"):
        load_collections(tmp_path)


def test_merge_dedupes_and_keeps_every_source() -> None:
    a = IndicatorCollection("a")
    a.add_raw("evil.com", Source("One"))
    b = IndicatorCollection("b")
    b.add_raw("EVIL.com", Source("Two"))
    b.add_raw("evil.com", Source("Two"))
    a.merge(b)
    assert a.values["domain"] == {"evil.com": [0, 1]}


def test_spyware_words_decide_severity_when_a_source_does_not_say() -> None:
    coll = IndicatorCollection("mine")
    coll.add_raw("a.example-bad.com", Source("Predator infrastructure"))
    coll.add_raw("b.example-bad.com", Source("Bank phishing"))
    index = IndicatorIndex([coll], ["predator", "rcs lab"])
    hit_a, hit_b = index.domain("a.example-bad.com"), index.domain("b.example-bad.com")
    assert hit_a is not None and hit_a[1][0].spyware
    assert hit_b is not None and not hit_b[1][0].spyware


def test_snapshot_is_small_and_free_of_citizenlab() -> None:
    assert SNAPSHOT.stat().st_size < 3_000_000
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    publishers = {s["publisher"] for s in data["sources"]}
    assert publishers == {"Amnesty Tech", "the MVT project"}
    assert "weather4free.com" in data["domains"]


@needs_data
def test_snapshot_holds_no_citizenlab_only_indicator() -> None:
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    # Citizen Lab's Tibetan phishing domain is in no Amnesty or MVT feed
    lab = load_indicator_file(IOCS / "citizenlab" / "201801_SpyingOnABudget"
                              / "indicators.csv")
    assert "google-protected.gq" in lab.values["domain"]
    assert "google-protected.gq" not in data["domains"]


@needs_data
def test_snapshot_rebuilds_identically_from_the_feeds(tmp_path: Path) -> None:
    """The committed snapshot is what scripts/build_indicator_snapshot.py makes of the public
    feeds with today's parsers (STIX patterns read by the OASIS grammar)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_indicator_snapshot.py"
    subprocess.run([sys.executable, str(script), "--data", str(IOCS), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    assert (tmp_path / SNAPSHOT.name).read_bytes() == SNAPSHOT.read_bytes()
