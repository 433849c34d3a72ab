"""OONI measurements: reading, and verdicts reached from the raw observations."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amparo.censorship.analysis import analyze
from amparo.censorship.reader import BadRecord, Measurement, read_path
from amparo.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ooni"
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "ooni" / \
    "backend-fastpath-testdata"

# Real measurements where Amparo deliberately reaches another verdict than the probe did.
DELIBERATE = {
    # ooniprobe-android 5.0.6, Indonesia: the probe followed a redirect to the national
    # blockpage (lamanlabuh.aduankonten.id) and its HTTP diff passed (same status, "matching"
    # headers), so it said accessible. The redirect's Location is OONI's fingerprint
    # ooni.id_lamanlabuh_kominfo: confirmed blocking.
    "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json": ("http-diff", "ok"),
    # ooniprobe-android 2.0.3: the probe's own HTTPS request failed certificate verification
    # and the test helper could not fetch the page either (unknown_error); the old probe still
    # said accessible. Nothing supports "ok": Amparo says unknown.
    "web_connectivity_no_body.json": ("unknown", "ok"),
}


def records(path: Path) -> list[Measurement | BadRecord]:
    return list(read_path(path))


def by_uid(path: Path) -> dict[str, str]:
    out = {}
    for r in records(path):
        assert isinstance(r, Measurement), r
        v = analyze(r)
        out[str(r.measurement_uid)] = v.verdict + ("+confirmed" if v.confirmed else "")
    return out


EXPECTED = {
    "fixture-ok": "ok", "fixture-dns-inconsistent": "dns", "fixture-dns-bogon": "dns",
    "fixture-dns-fingerprint": "dns+confirmed", "fixture-http-blockpage": "http-diff+confirmed",
    "fixture-tcp": "tcp_ip", "fixture-tls": "http-failure", "fixture-http-failure": "http-failure",
    "fixture-http-diff-body": "http-diff", "fixture-http-diff-title": "http-diff",
    "fixture-ok-title": "ok", "fixture-http-diff-status": "http-diff", "fixture-down": "down",
    "fixture-no-control": "unknown",
}


def test_every_verdict_path_from_hand_made_measurements() -> None:
    assert by_uid(FIXTURES / "web_connectivity_paths.jsonl") == EXPECTED


def test_gzip_reads_the_same_as_plain() -> None:
    assert by_uid(FIXTURES / "web_connectivity_paths.jsonl.gz") == EXPECTED


def test_bad_records_are_named_by_file_and_line_and_the_rest_is_read() -> None:
    got = records(FIXTURES / "with_bad_records.jsonl")
    bad = [(Path(r.file).name, r.line) for r in got if isinstance(r, BadRecord)]
    assert bad == [("with_bad_records.jsonl", 2), ("with_bad_records.jsonl", 3),
                   ("with_bad_records.jsonl", 5)]
    assert "probe_cc" in str(got[2])
    good = [r.measurement_uid for r in got if isinstance(r, Measurement)]
    assert good == ["fixture-ok", "fixture-down"]


def test_single_json_file_is_one_pretty_printed_record(tmp_path: Path) -> None:
    first = (FIXTURES / "web_connectivity_paths.jsonl").read_text().splitlines()[3]
    one = tmp_path / "m.json"
    one.write_text(json.dumps(json.loads(first), indent=2))
    with gzip.open(tmp_path / "m2.json.gz", "wt") as fh:
        fh.write(json.dumps(json.loads(first), indent=2))
    assert by_uid(tmp_path) == {"fixture-dns-fingerprint": "dns+confirmed"}
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "report_id": "x",\n  oops\n}')
    bad = [r for r in records(broken) if isinstance(r, BadRecord)]
    assert [(r.line, "not valid JSON" in r.reason) for r in bad] == [(3, True)]


def test_a_damaged_gzip_is_a_bad_record_not_a_crash(tmp_path: Path) -> None:
    data = (FIXTURES / "web_connectivity_paths.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    got = records(cut)
    assert isinstance(got[-1], BadRecord) and "damaged" in got[-1].reason
    assert all(isinstance(r, Measurement) for r in got[:-1])


def real_data() -> Path:
    if not REAL.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"data set missing: {REAL} (required under CI)")
        pytest.skip(f"data set missing: {REAL} (../shared/data/ooni)")
    return REAL


def test_every_real_measurement_gets_its_probes_verdict() -> None:
    checked = 0
    for record in records(real_data()):
        if not isinstance(record, Measurement):
            continue
        v = analyze(record)
        if v.probe_verdict is None:
            continue
        checked += 1
        name = Path(record.file).name
        if name in DELIBERATE:
            assert (v.verdict, v.probe_verdict) == DELIBERATE[name], name
        else:
            assert v.verdict == v.probe_verdict, (name, v)
    # 15 web_connectivity measurements with a `blocking` key, 3 signal, telegram, whatsapp.
    assert checked == 20


def test_confirmed_blocking_in_real_measurements() -> None:
    found = {Path(r.file).name: analyze(r).fingerprint for r in records(real_data())
             if isinstance(r, Measurement) and analyze(r).confirmed}
    assert found == {
        "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json":
            "ooni.id_lamanlabuh_kominfo",
        "bug_352.json": "ooni.ir_10dot10_ipv4_1",
        "web_connectivity_ir_fp.json": "ooni.ir_10dot10_ipv4_1",
        "web_connectivity_b64_hdr.json": "cl.prod_checkpoint_urlfilter_forward",
    }


def test_real_records_without_base_keys_are_reported() -> None:
    bad = {Path(r.file).name: r.reason for r in records(real_data())
           if isinstance(r, BadRecord)}
    assert "probe_cc" in bad["meek3.json"]
    assert set(bad) == {"meek3.json", "fingerprints_dns.json", "fingerprints_http.json",
                        "detector_query_ww_BR_2018.json"}


def test_cli_json_and_table() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["censorship", "analyze",
                                 str(FIXTURES / "with_bad_records.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["measurement_uid"], r["verdict"]) for r in rows] == [("fixture-ok", "ok"),
                                                                    ("fixture-down", "down")]
    assert {"report_id", "input", "test_name", "probe_cc", "probe_asn"} <= set(rows[0])
    table = runner.invoke(app, ["censorship", "analyze", str(FIXTURES / "with_bad_records.jsonl")])
    assert "2 measurements: 1 down, 1 ok" in table.stdout
    assert "3 bad records" in table.stdout
    missing = runner.invoke(app, ["censorship", "analyze", "/nonexistent/ooni"])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_app_verdicts_from_hand_made_measurements() -> None:
    got = {}
    for r in records(FIXTURES / "apps.jsonl"):
        assert isinstance(r, Measurement), r
        v = analyze(r)
        got[str(r.measurement_uid)] = (v.verdict, v.probe_verdict)
    assert got == {
        "fixture-telegram-blocked": ("blocked", "blocked"),
        "fixture-telegram-web": ("partial", "partial"),
        "fixture-whatsapp-blocked": ("blocked", "blocked"),
        "fixture-whatsapp-ok": ("ok", "ok"),
        "fixture-facebook-dns": ("blocked", "blocked"),
        "fixture-facebook-ok": ("ok", "ok"),
        "fixture-tor-partial": ("partial", None),
    }


def test_tor_verdicts_on_real_measurements() -> None:
    got = {Path(r.file).name: analyze(r).verdict for r in records(real_data())
           if isinstance(r, Measurement) and "tor" in r.test_name}
    assert got == {"tor.json": "ok", "tor_list.json": "ok", "torsf_1.json": "blocked",
                   "torsf_2.json": "ok", "torsf_383.json": "blocked",
                   "vanilla_tor.json": "blocked", "vanilla_tor_ok.json": "ok"}


def test_the_probes_verdict_is_never_read_to_decide(tmp_path: Path) -> None:
    # Flip the probe's summary keys on real measurements: Amparo's verdicts must not move.
    for name in ("bug_352.json", "report1.json", "signal_2627.json", "whatsapp.json"):
        doc = json.loads((real_data() / name).read_text())
        before = analyze(records(real_data() / name)[0]).verdict  # type: ignore[arg-type]
        for key in ("blocking", "accessible", "dns_consistency", "body_length_match",
                    "headers_match", "status_code_match", "title_match",
                    "signal_backend_status", "whatsapp_web_status"):
            if key in doc["test_keys"]:
                doc["test_keys"][key] = "tampered"
        (tmp_path / name).write_text(json.dumps(doc))
        after = records(tmp_path / name)[0]
        assert isinstance(after, Measurement)
        assert analyze(after).verdict == before, name


def test_jsonl_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    lines = (FIXTURES / "web_connectivity_paths.jsonl").read_text().splitlines()
    big = tmp_path / "big.jsonl.gz"
    with gzip.open(big, "wt") as fh:
        for i in range(3000):
            fh.write(lines[i % len(lines)] + "\n")
    raw = 3000 * sum(len(line) for line in lines) // len(lines)
    tracemalloc.start()
    count = sum(1 for r in read_path(big) if isinstance(r, Measurement))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 3000
    assert peak < raw / 10, (peak, raw)  # a few records at a time, never the whole file


def test_a_page_the_control_could_not_fetch(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "web_connectivity_paths.jsonl").read_text().splitlines()[0])
    doc["test_keys"]["control"]["http_request"] = {"failure": "generic_timeout_error",
                                                   "status_code": -1, "body_length": -1}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    doc["test_keys"]["queries"][0]["answers"][0].update(ipv4="185.55.226.77", asn=64500)
    (tmp_path / "b.json").write_text(json.dumps(doc))
    verdicts = [analyze(r).verdict for r in records(tmp_path) if isinstance(r, Measurement)]
    # Same addresses: the probe's page stands. Other addresses: nothing to compare it with.
    assert verdicts == ["ok", "unknown"]


def test_a_fingerprint_confirms_blocking_even_without_a_control(tmp_path: Path) -> None:
    lines = (FIXTURES / "web_connectivity_paths.jsonl").read_text().splitlines()
    for name, index in (("dns.json", 3), ("page.json", 4)):  # dns-fingerprint, http-blockpage
        doc = json.loads(lines[index])
        doc["test_keys"]["control"] = {}
        doc["test_keys"]["control_failure"] = "connection_refused"
        (tmp_path / name).write_text(json.dumps(doc))
    got = [(analyze(r).verdict, analyze(r).confirmed) for r in records(tmp_path)
           if isinstance(r, Measurement)]
    assert got == [("dns", True), ("http-diff", True)]
