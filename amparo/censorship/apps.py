"""Verdicts for the instant-messaging tests (signal, telegram, whatsapp, facebook_messenger)
and the Tor tests (tor, vanilla_tor, torsf).

Each comes from the raw TCP connects, DNS answers and HTTP requests in the measurement; the
probe's own summary keys (`signal_backend_status`, `telegram_tcp_blocking`, ...) are only
reported beside it. Verdicts: `ok`, `blocked` (the app cannot reach its service), `partial`
(the app works but a part of it is blocked, e.g. its web client), `unknown`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from amparo.censorship.verdict import Verdict
from amparo.censorship.web_connectivity import is_bogon

FACEBOOK_ASN = 32934  # facebook_messenger: Facebook's own network answers for its services


def _requests(tk: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for r in tk.get("requests") or []:
        if isinstance(r, dict):
            out.append((str((r.get("request") or {}).get("url") or ""), r))
    return out


def _tcp_ok(entry: dict[str, Any]) -> bool:
    return bool((entry.get("status") or {}).get("success"))


def signal(tk: dict[str, Any]) -> Verdict:
    requests = _requests(tk)
    if not requests:
        return Verdict("unknown", reason="no request to Signal's servers was recorded")
    failed = [(urlsplit(url).hostname or url, r["failure"]) for url, r in requests
              if r.get("failure")]
    verdict = Verdict("blocked", reason="; ".join(f"{h}: {f}" for h, f in failed)) if failed \
        else Verdict("ok", reason=f"all {len(requests)} Signal endpoints answered")
    status = tk.get("signal_backend_status")
    probe = {"ok": "ok", "blocked": "blocked"}.get(str(status)) if status else None
    return Verdict(verdict.verdict, reason=verdict.reason, probe_verdict=probe)


def telegram(tk: dict[str, Any]) -> Verdict:
    connects = [c for c in tk.get("tcp_connect") or [] if isinstance(c, dict)]
    web: list[dict[str, Any]] = []
    dc: list[dict[str, Any]] = []
    for url, r in _requests(tk):
        (web if "web.telegram.org" in url else dc).append(r)
    if not connects and not dc:
        return Verdict("unknown", reason="no connection to Telegram's data centres recorded")
    if connects and not any(_tcp_ok(c) for c in connects):
        verdict = Verdict("blocked", reason="every TCP connect to Telegram's data centres failed")
    elif dc and all(r.get("failure") for r in dc):
        verdict = Verdict("blocked", reason="every HTTP request to Telegram's data centres failed")
    elif web and any(r.get("failure") for r in web):
        verdict = Verdict("partial", reason="the app's servers answer; web.telegram.org failed")
    else:
        verdict = Verdict("ok", reason="Telegram's data centres answered")
    probe = None
    if "telegram_tcp_blocking" in tk or "telegram_http_blocking" in tk:
        if tk.get("telegram_tcp_blocking") or tk.get("telegram_http_blocking"):
            probe = "blocked"
        elif tk.get("telegram_web_status") == "blocked":
            probe = "partial"
        else:
            probe = "ok"
    return Verdict(verdict.verdict, reason=verdict.reason, probe_verdict=probe)


def whatsapp(tk: dict[str, Any]) -> Verdict:
    by_endpoint: dict[str, list[bool]] = defaultdict(list)
    for c in tk.get("tcp_connect") or []:
        if isinstance(c, dict):
            by_endpoint[str(c.get("ip"))].append(_tcp_ok(c))
    requests = _requests(tk)
    registration = [r for url, r in requests if "v.whatsapp.net" in url]
    https_web = [r for url, r in requests if url.startswith("https://web.whatsapp.com")]
    http_web = [r for url, r in requests if url.startswith("http://web.whatsapp.com")]
    if not by_endpoint and not registration:
        return Verdict("unknown", reason="no connection to WhatsApp recorded")
    problems = []
    if by_endpoint and not any(any(v) for v in by_endpoint.values()):
        problems.append("every WhatsApp endpoint refused TCP connections")
    if registration and all(r.get("failure") for r in registration):
        problems.append(f"the registration server failed ({registration[0]['failure']})")
    if problems:
        verdict = Verdict("blocked", reason="; ".join(problems))
    else:
        web = []
        for r in https_web:  # WhatsApp Web answers 200 over HTTPS ...
            code = (r.get("response") or {}).get("code")
            if r.get("failure") or code != 200:
                web.append(f"https://web.whatsapp.com: {r.get('failure') or f'status {code}'}")
        for r in http_web:  # ... and redirects plain HTTP to HTTPS
            resp = r.get("response") or {}
            location = str((resp.get("headers") or {}).get("Location") or "")
            if r.get("failure") or not location.startswith("https://"):
                web.append(f"http://web.whatsapp.com: "
                           f"{r.get('failure') or 'status ' + str(resp.get('code'))}, "
                           "no redirect to HTTPS")
        verdict = Verdict("partial", reason="WhatsApp Web blocked: " + "; ".join(web)) if web \
            else Verdict("ok", reason="endpoints, registration and web answered")
    probe = None
    keys = ("whatsapp_endpoints_status", "registration_server_status", "whatsapp_web_status")
    if any(k in tk for k in keys):
        if "blocked" in (tk.get(keys[0]), tk.get(keys[1])):
            probe = "blocked"
        else:
            probe = "partial" if tk.get(keys[2]) == "blocked" else "ok"
    return Verdict(verdict.verdict, reason=verdict.reason, probe_verdict=probe)


def facebook_messenger(tk: dict[str, Any]) -> Verdict:
    queries = [q for q in tk.get("queries") or [] if isinstance(q, dict)]
    connects = [c for c in tk.get("tcp_connect") or [] if isinstance(c, dict)]
    if not queries and not connects:
        return Verdict("unknown", reason="no DNS or TCP observation recorded")
    # An answer outside Facebook's network, or a private address, is DNS tampering.
    foreign = sorted({str(q.get("hostname")) for q in queries
                      for a in q.get("answers") or []
                      if (a.get("asn") and int(a["asn"]) != FACEBOOK_ASN)
                      or is_bogon(str(a.get("ipv4") or a.get("ipv6") or ""))})
    failed_dns = sorted({str(q.get("hostname")) for q in queries if q.get("failure")})
    if foreign or failed_dns:
        verdict = Verdict("blocked", reason="DNS for " + ", ".join(foreign + failed_dns)
                          + " did not lead to Facebook's network")
    elif connects and not any(_tcp_ok(c) for c in connects):
        verdict = Verdict("blocked", reason="every TCP connect to Facebook's services failed")
    else:
        verdict = Verdict("ok", reason="Facebook's services resolved and answered")
    probe = None
    if "facebook_tcp_blocking" in tk or "facebook_dns_blocking" in tk:
        blocked = tk.get("facebook_tcp_blocking") or tk.get("facebook_dns_blocking")
        probe = "blocked" if blocked else "ok"
    return Verdict(verdict.verdict, reason=verdict.reason, probe_verdict=probe)


def tor(tk: dict[str, Any]) -> Verdict:
    """The tor test: each directory authority, OR port and bridge tried on its own."""
    targets = tk.get("targets")
    items = list(targets.values()) if isinstance(targets, dict) else targets or []
    items = [t for t in items if isinstance(t, dict)]
    if not items:
        return Verdict("unknown", reason="no Tor target was tried")
    failed = [f"{t.get('target_protocol')} {t.get('target_address')}: {t['failure']}"
              for t in items if t.get("failure")]
    if not failed:
        return Verdict("ok", reason=f"all {len(items)} Tor targets reachable")
    if len(failed) == len(items):
        return Verdict("blocked", reason="every Tor target failed: " + "; ".join(failed))
    return Verdict("partial", reason=f"{len(failed)} of {len(items)} Tor targets failed: "
                                     + "; ".join(failed))


def tor_bootstrap(tk: dict[str, Any]) -> Verdict:
    """vanilla_tor and torsf: did Tor finish bootstrapping (progress 100)?"""
    if "tor_progress" not in tk and "failure" not in tk:
        return Verdict("unknown", reason="no bootstrap recorded")
    progress = tk.get("tor_progress")
    # Early torsf versions wrote only `failure` and `bootstrap_time`, no progress.
    done = progress == 100 or (progress is None and (tk.get("bootstrap_time") or 0) > 0)
    if done and not tk.get("failure"):
        return Verdict("ok", reason=f"Tor bootstrapped in {tk.get('bootstrap_time')} s")
    where = f" at {progress}% ({tk.get('tor_progress_summary')})" if progress is not None else ""
    return Verdict("blocked", reason=f"Tor did not bootstrap{where}: {tk.get('failure')}")


ANALYZERS: dict[str, Callable[[dict[str, Any]], Verdict]] = {
    "signal": signal, "telegram": telegram, "whatsapp": whatsapp,
    "facebook_messenger": facebook_messenger, "tor": tor, "vanilla_tor": tor_bootstrap,
    "torsf": tor_bootstrap,
}
