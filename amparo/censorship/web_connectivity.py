"""web_connectivity verdicts from the raw observations, following ooni/spec ts-017.

The probe's `blocking`/`accessible` keys are never read to decide; they are only reported
beside Amparo's verdict (`probe_verdict`). Steps: DNS answers against the test helper's
(control's), TCP connects, TLS handshakes, then the final HTTP response against the control's
(status, body length, uncommon headers, title), with OONI's blockpage fingerprints on top.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from amparo.censorship.fingerprints import match_dns, match_http
from amparo.censorship.verdict import Verdict

# Headers nearly every server sends: they say nothing about whether two responses are the
# same page, so only the others ("uncommon") are compared.
COMMON_HEADERS = frozenset([
    "accept-ranges", "age", "cache-control", "cf-ray", "connection", "content-encoding",
    "content-language", "content-length", "content-type", "date", "etag", "expires",
    "last-modified", "link", "location", "p3p", "pragma", "server", "set-cookie",
    "strict-transport-security", "transfer-encoding", "vary", "via", "x-content-type-options",
    "x-frame-options", "x-powered-by", "x-varnish", "x-xss-protection"])
BODY_MATCH = 0.7  # ts-017: body lengths match when their proportion is above 0.7
TITLE = re.compile(rb"<title[^>]*>([^<]{1,1000})", re.IGNORECASE)


def text(value: Any) -> str | None:
    """A body or header value as text: OONI writes non-UTF-8 data as {"format": "base64"}."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("format") == "base64":
        raw = _b64(value.get("data"))
        return None if raw is None else raw.decode("utf-8", "replace")
    return None


def body_bytes(value: Any) -> bytes | None:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and value.get("format") == "base64":
        return _b64(value.get("data"))
    return None


def _b64(data: Any) -> bytes | None:
    if not isinstance(data, str):
        return None
    try:  # some old probes dropped the padding
        return base64.b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    raw = response.get("headers")
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):  # headers_list style: [[name, value], ...]
        items = [tuple(pair) for pair in raw if isinstance(pair, list) and len(pair) == 2]
    else:
        items = []
    return {str(k): v for k, value in items if (v := text(value)) is not None}


def is_bogon(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not ip.is_global


def _ips(values: Any) -> list[str]:
    out = []
    for value in values or ():
        try:
            ipaddress.ip_address(value)
        except (ValueError, TypeError):
            continue  # the control lists CNAME targets among its addresses
        out.append(value)
    return out


def failure_kind(failure: str | None) -> str | None:
    """A failure string reduced to the step that failed, so probe and control compare."""
    if failure is None:
        return None
    f = failure.lower()
    if "dns" in f or "name_error" in f or "nxdomain" in f or "no_answer" in f:
        return "dns"
    if "ssl" in f or "tls" in f or "certificate" in f:
        return "tls"
    if f.startswith(("connection_refused", "connect_error", "generic_timeout", "connection_reset",
                     "eof_error", "network_unreachable", "host_unreachable")):
        return "tcp"
    if f.startswith("unknown"):
        return "unknown"
    return "http"


def probe_verdict(tk: dict[str, Any]) -> str | None:
    """The probe's own conclusion in Amparo's words, None where it gave none."""
    if "blocking" not in tk:
        return None
    blocking = tk["blocking"]
    if blocking is False:
        return "down" if tk.get("accessible") is False else "ok"
    if blocking is None:
        return "unknown"
    return str(blocking)


def analyze(tk: dict[str, Any], url: str | None) -> Verdict:
    verdict = _analyze(tk, url)
    return Verdict(verdict.verdict, verdict.confirmed, verdict.fingerprint, verdict.reason,
                   probe_verdict(tk))


def _analyze(tk: dict[str, Any], url: str | None) -> Verdict:
    # Fingerprints first: a censor's DNS address or blockpage is blocking even where the test
    # helper failed and nothing else can be compared.
    addrs, asns = _answers(tk)
    dns_fp = match_dns(addrs)
    if dns_fp is not None:
        return Verdict("dns", True, dns_fp.name,
                       f"DNS answered with a known censor's address {dns_fp.pattern} "
                       f"({dns_fp.name})")
    requests = [r for r in tk.get("requests") or [] if isinstance(r, dict)]
    fingerprint = None
    for request in requests:
        response = request.get("response") or {}
        fp = match_http(text(response.get("body")), headers_of(response))
        if fp is not None:
            fingerprint = fp.name
            break
    final = requests[0] if requests else None  # OONI lists the last request first
    final_resp = (final or {}).get("response") or {}
    got_final = (final is not None and final.get("failure") is None
                 and isinstance(final_resp.get("code"), int) and final_resp["code"] > 0)

    control = tk.get("control")
    if not isinstance(control, dict) or not control or tk.get("control_failure"):
        if fingerprint:
            return Verdict("http-diff" if got_final else "http-failure", True, fingerprint,
                           f"a known blockpage answered ({fingerprint})")
        if tk.get("control_failure"):
            return Verdict("unknown", reason=f"the test helper failed: {tk['control_failure']}")
        return Verdict("unknown", reason="no test-helper (control) result to compare with")

    dns = _dns(tk, control, url, addrs, asns)
    ctrl_http = control.get("http_request") or {}
    ctrl_failure = ctrl_http.get("failure")

    if got_final:
        if fingerprint:
            return Verdict("http-diff", True, fingerprint,
                           f"the page is a known blockpage ({fingerprint})")
        if ctrl_failure is not None:
            if dns.consistent is False:  # a page from other addresses, nothing to compare
                return Verdict("unknown", reason=f"the test helper failed ({ctrl_failure}) and "
                                                 f"DNS answers differ from its ({dns.why})")
            return Verdict("ok", reason="a page was fetched; the test helper could not fetch "
                                        "it to compare")
        final_url = ((final or {}).get("request") or {}).get("url") or url or ""
        if urlsplit(str(final_url)).scheme == "https":
            return Verdict("ok", reason="the page was fetched over a valid HTTPS connection")
        same, why = _http_matches(final_resp, ctrl_http)
        if same:
            return Verdict("ok", reason=why)
        if dns.consistent is False:
            return Verdict("dns", reason=f"DNS answers differ from the control's ({dns.why}); "
                                         f"the page differs: {why}")
        return Verdict("http-diff", reason=why)

    # No final page: find the step that failed.
    if dns.consistent is False:
        return Verdict("dns", fingerprint is not None, fingerprint,
                       f"DNS answers differ from the control's ({dns.why})")
    probe_failure = tk.get("http_experiment_failure") or (final or {}).get("failure") \
        or tk.get("dns_experiment_failure")
    if ctrl_failure is not None:
        if failure_kind(str(probe_failure)) == failure_kind(ctrl_failure) != "unknown":
            return Verdict("down", reason=f"fails for the test helper too ({ctrl_failure})")
        return Verdict("unknown", reason=f"the test helper failed ({ctrl_failure}) differently "
                                         f"from the probe ({probe_failure})")
    tcp = _tcp(tk, control)
    if tcp is not None:
        return tcp
    if probe_failure is None and not requests:
        return Verdict("unknown", reason="no HTTP request was made")
    step = "TLS handshake" if failure_kind(str(probe_failure)) == "tls" else "HTTP request"
    return Verdict("http-failure", fingerprint is not None, fingerprint,
                   f"the {step} failed ({probe_failure}) where the test helper's succeeded")


class _Dns:
    def __init__(self, consistent: bool | None, why: str):
        self.consistent, self.why = consistent, why


def _answers(tk: dict[str, Any]) -> tuple[list[str], set[int]]:
    """The addresses the probe's DNS lookups returned, and their networks where recorded."""
    addrs: list[str] = []
    asns: set[int] = set()
    for query in tk.get("queries") or []:
        if not isinstance(query, dict):
            continue
        for answer in query.get("answers") or []:
            ip = answer.get("ipv4") or answer.get("ipv6")
            if ip:
                addrs.append(ip)
                if answer.get("asn"):
                    asns.add(int(answer["asn"]))
    return addrs, asns


def _dns(tk: dict[str, Any], control: dict[str, Any], url: str | None, addrs: list[str],
         asns: set[int]) -> _Dns:
    queries = [q for q in tk.get("queries") or [] if isinstance(q, dict)]
    probe_failure = tk.get("dns_experiment_failure") or next(
        (q.get("failure") for q in queries if q.get("failure")), None)
    ctrl_dns = control.get("dns")
    if not isinstance(ctrl_dns, dict):
        return _Dns(None, "no control DNS result")
    ctrl_failure = ctrl_dns.get("failure")
    ctrl_addrs = _ips(ctrl_dns.get("addrs"))
    if probe_failure and ctrl_failure and not addrs:
        return _Dns(True, "both failed")
    if probe_failure and not addrs:
        return _Dns(False, f"the probe's lookup failed ({probe_failure}), the control's did not")
    if ctrl_failure:
        return _Dns(False, f"the control's lookup failed ({ctrl_failure}), the probe's answered "
                           + ", ".join(addrs))
    if not addrs:
        return _Dns(None, "no addresses")
    if set(addrs) & set(ctrl_addrs):
        return _Dns(True, "same addresses")
    bogons = [a for a in addrs if is_bogon(a)]
    if bogons:
        return _Dns(False, "private or reserved address " + ", ".join(bogons))
    ctrl_asns = {int(info["asn"]) for info in (control.get("ip_info") or {}).values()
                 if isinstance(info, dict) and info.get("asn")}
    if asns & ctrl_asns:
        return _Dns(True, "same networks (ASN)")
    host = urlsplit(url or "").hostname
    for hs in tk.get("tls_handshakes") or []:  # a valid certificate for the host vouches
        if hs.get("failure") is None and hs.get("server_name") == host \
                and str(hs.get("address", "")).rsplit(":", 1)[0].strip("[]") in addrs:
            return _Dns(True, "a TLS handshake for the host succeeded on these addresses")
    return _Dns(False, "answers " + ", ".join(addrs) + " not among the control's")


def _tcp(tk: dict[str, Any], control: dict[str, Any]) -> Verdict | None:
    connects = [c for c in tk.get("tcp_connect") or [] if isinstance(c, dict)]
    if not connects:
        return None
    status = [c.get("status") or {} for c in connects]
    if any(s.get("success") for s in status):
        return None
    ctrl_tcp = control.get("tcp_connect") or {}
    ctrl_ok = [bool((ctrl_tcp.get(f"{c.get('ip')}:{c.get('port')}") or {}).get("status"))
               for c in connects]
    if ctrl_tcp and not any(ctrl_ok):
        return Verdict("down", reason="TCP connects fail for the test helper too")
    failures = sorted({str(s.get("failure")) for s in status})
    return Verdict("tcp_ip", reason="every TCP connect failed (" + ", ".join(failures)
                                    + ") where the test helper's succeeded")


def _title_words(title: str | None) -> set[str]:
    return {w for w in (title or "").lower().split() if len(w) > 4}


def _http_matches(resp: dict[str, Any], ctrl: dict[str, Any]) -> tuple[bool, str]:
    """ts-017's HTTP diff: same status (control 2xx) and any of body length, headers, title."""
    code, ctrl_code = resp.get("code"), ctrl.get("status_code")
    if not (isinstance(ctrl_code, int) and 200 <= ctrl_code < 300):
        return False, f"the test helper got status {ctrl_code}"
    if code != ctrl_code:
        return False, f"status {code}, the test helper's {ctrl_code}"
    body = body_bytes(resp.get("body"))
    ctrl_len = ctrl.get("body_length")
    if body and isinstance(ctrl_len, int) and ctrl_len > 0:
        proportion = min(len(body), ctrl_len) / max(len(body), ctrl_len)
        if proportion > BODY_MATCH:
            return True, f"same status, body length proportion {proportion:.2f}"
    ctrl_headers = ctrl.get("headers")
    if isinstance(ctrl_headers, dict):
        ours = {k.lower() for k in headers_of(resp)} - COMMON_HEADERS
        theirs = {k.lower() for k in ctrl_headers} - COMMON_HEADERS
        if ours & theirs or (not ours and not theirs):
            return True, "same status and uncommon headers"
    match = TITLE.search(body or b"")
    ours_t = _title_words(match.group(1).decode("utf-8", "replace") if match else None)
    theirs_t = _title_words(ctrl.get("title"))
    if ours_t and theirs_t and ours_t & theirs_t:
        return True, "same status and title"
    length = len(body) if body else 0
    return False, (f"same status but the body ({length} bytes, test helper {ctrl_len}), "
                   "headers and title differ")
