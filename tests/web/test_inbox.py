"""The findings inbox and its API in process, on SQLite and PostgreSQL: filters, critical
first, escaping of hostile message text, per-row and bulk triage, CSRF, htmx row swap."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from amparo import triage
from amparo.accounts import tokens
from amparo.cases.service import Actor, create_case
from amparo.store import custody
from amparo.store.workspace import Workspace
from tests.inbox_data import seed_inbox
from tests.web.conftest import Staff, csrf_of, signed_in


@pytest.fixture(autouse=True)
def caseworker_has_the_case(ws: Workspace, defender_id: int, staff: dict[str, Staff]) -> None:
    """Need-to-know: caseworker-1 reads findings of the defender of a case assigned to them."""
    give_case(ws, defender_id, "caseworker-1")


def give_case(ws: Workspace, defender_id: int, username: str) -> None:
    with ws.session() as s:
        create_case(s, Actor.workspace("tester"), defender_id, "Threats", [username])
    ws.after_commit()


def _rows(page: str) -> list[tuple[str, str]]:
    """(severity, label in words) of each finding on the page, in order."""
    return re.findall(r'<li class="finding sev-(\w+)[^"]*".*?class="finding-title"[^>]*>([^<]+)<',
                      page, flags=re.S)


def _statuses(ws: Workspace) -> dict[str, str]:
    with ws.session() as s:
        return {r.label: r.status for r in triage.inbox(s, triage.InboxFilter()).rows}


def test_inbox_lists_critical_first_with_why_and_marked_span(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    seed_inbox(ws, defender_id)
    page = signed_in(app, ws, "caseworker-1").get("/findings")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert [sev for sev, _l in rows] == ["critical", "critical", "high", "high", "medium"]
    assert {name for _s, name in rows[:2]} == {"Death threat", "Threat of violence"}
    assert "<mark>Vamos te matar</mark>" in page.text
    assert "Why it was flagged:" in page.text
    assert "@vigia_norte" in page.text and "Defensora A" in page.text
    assert 'href="/findings"' in page.text and 'aria-current="page"' in page.text
    assert "Findings: 5" in page.text
    # The CSP stays strict: no inline script or style on the page.
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", page.text) == []
    assert " style=" not in page.text and "<style" not in page.text
    assert 'src="/static/inbox.js?v=' in page.text


def test_hostile_message_text_is_escaped(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    seed_inbox(ws, defender_id)
    page = signed_in(app, ws, "caseworker-1").get("/findings?label=doxing.phone")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "<mark>(91) 98765-4321</mark>" in page.text


def test_filters_work_as_a_plain_get_form(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "coordinator-1")
    assert [n for _s, n in _rows(client.get("/findings?label=doxing").text)] == [
        "Street address exposed", "Phone number exposed"]
    assert [s for s, _n in _rows(client.get("/findings?severity=high").text)] == [
        "critical", "critical", "high", "high"]
    one_day = client.get("/findings?since=2026-11-29&until=2026-11-29").text
    assert [n for _s, n in _rows(one_day)] == ["Look-alike domain"]
    assert [n for _s, n in _rows(client.get(
        f"/findings?defender={defender_id}&platform=generic&language=es").text)] == [
        "Phone number exposed"]
    assert _rows(client.get("/findings?platform=telegram").text) == []
    assert _rows(client.get(f"/findings?defender={defender_id + 7}").text) == []
    assert "No finding matches these filters." in client.get(
        f"/findings?defender={defender_id + 7}").text
    assert client.get("/findings?since=yesterday").status_code == 400
    paged = client.get("/findings?status=").text  # any status
    assert "Findings: 5" in paged


def test_dismiss_one_with_a_reason_then_it_leaves_the_new_view(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "caseworker-1")
    page = client.get("/findings?severity=medium")
    r = client.post("/findings/triage", data={
        "csrf_token": csrf_of(page.text), "finding": ids["doxing.phone"], "action": "dismiss",
        "reason": "the helpline's public number", "back": "status=new&severity=medium"})
    assert r.status_code == 303
    assert r.headers["location"] == "/findings?status=new&severity=medium&done=1"
    after = client.get(r.headers["location"]).text
    assert "Decision recorded for 1 finding(s)." in after
    assert "Phone number exposed" not in [n for _s, n in _rows(after)]
    assert _statuses(ws)["doxing.phone"] == "dismissed"
    dismissed = client.get("/findings?status=dismissed").text
    assert "the helpline&#39;s public number" in dismissed and "caseworker-1" in dismissed
    with ws.session() as s:
        log = [(e["action"], e["actor"]) for e in custody.list_entries(s)]
    assert ("finding.triage", "caseworker-1") in log


def test_bulk_action_on_checked_rows(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "caseworker-1")
    token = csrf_of(client.get("/findings").text)
    r = client.post("/findings/triage", data={
        "csrf_token": token, "finding": [ids["threat.death"], ids["threat.violence"]],
        "action": "escalate", "reason": "same author, death threat and her address",
        "back": "status=new"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=2")
    got = _statuses(ws)
    assert got["threat.death"] == got["threat.violence"] == "escalated"
    assert got["doxing.address"] == "new"
    # Nothing checked, or no reason: refused with a message, nothing recorded.
    r = client.post("/findings/triage", data={"csrf_token": token, "action": "confirm",
                                              "reason": "x", "back": "status=new"})
    assert r.headers["location"].endswith("error=none")
    assert "Select at least one finding first." in client.get(r.headers["location"]).text
    r = client.post("/findings/triage", data={"csrf_token": token, "action": "confirm",
                                              "finding": ids["doxing.address"], "reason": " "})
    assert r.headers["location"] == "/findings?error=reason"
    assert _statuses(ws)["doxing.address"] == "new"


def test_triage_without_csrf_token_is_refused(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "caseworker-1")
    client.get("/findings")
    r = client.post("/findings/triage", data={"finding": ids["threat.death"],
                                              "action": "dismiss", "reason": "forged"})
    assert r.status_code == 403
    r = client.post("/findings/triage", data={"csrf_token": "wrong", "finding":
                                              ids["threat.death"], "action": "dismiss",
                                              "reason": "forged"})
    assert r.status_code == 403
    assert _statuses(ws)["threat.death"] == "new"


def test_htmx_swaps_the_decided_row_in_place(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "caseworker-1")
    token = csrf_of(client.get("/findings").text)
    r = client.post("/findings/triage", headers={"HX-Request": "true", "X-CSRF-Token": token},
                    data={"finding": ids["link.lookalike"], "action": "confirm",
                          "reason": "phishing <b>kit</b>", "back": "status=new"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<li class="finding sev-high decided" id="finding-'
                                      f'{ids["link.lookalike"]}"')
    assert "<!doctype" not in r.text.lower()
    assert "phishing &lt;b&gt;kit&lt;/b&gt;" in r.text and "Confirmed" in r.text


def test_links_in_the_page_keep_the_filters_and_refuse_open_redirects(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    client = signed_in(app, ws, "caseworker-1")
    token = csrf_of(client.get("/findings").text)
    r = client.post("/findings/triage", data={
        "csrf_token": token, "finding": ids["threat.death"], "action": "confirm",
        "reason": "real", "back": "status=new&next=https://evil.example/&severity=high"})
    assert r.headers["location"] == "/findings?status=new&severity=high&done=1"


def test_api_lists_with_filters_and_triages(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    ids = seed_inbox(ws, defender_id)
    with ws.session() as s:
        _id, token = tokens.create(s, "caseworker-1", "test", actor="t")
    client = TestClient(app, base_url="https://testserver")
    auth = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/findings", headers=auth).json()
    assert body["total"] == 5
    assert [f["severity"] for f in body["findings"]][:2] == ["critical", "critical"]
    assert body["findings"][0]["status"] == "new"
    doxing = client.get("/api/v1/findings?label=doxing&per_page=1", headers=auth).json()
    assert doxing["total"] == 2 and len(doxing["findings"]) == 1
    r = client.post(f"/api/v1/findings/{ids['threat.death']}/triage", headers=auth,
                    json={"status": "escalated", "reason": "address and death threat"})
    assert r.status_code == 200, r.text
    assert [(c["from_status"], c["to_status"], c["actor"]) for c in r.json()] == [
        ("new", "escalated", "caseworker-1")]
    escalated = client.get("/api/v1/findings?status=escalated", headers=auth).json()
    assert [f["label"] for f in escalated["findings"]] == ["threat.death"]
    assert escalated["findings"][0]["reason"] == "address and death threat"
    assert client.post("/api/v1/findings/99999/triage", headers=auth,
                       json={"status": "dismissed", "reason": "x"}).status_code == 404
    assert client.post(f"/api/v1/findings/{ids['threat.death']}/triage", headers=auth,
                       json={"status": "dismissed", "reason": ""}).status_code == 400
    assert client.get("/api/v1/findings?severity=huge", headers=auth).status_code == 400
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/findings" in doc["paths"]
    assert "/api/v1/findings/{finding_id}/triage" in doc["paths"]


def test_analysts_and_viewers_do_not_read_findings(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    seed_inbox(ws, defender_id)
    for role in ("analyst", "viewer"):
        client = signed_in(app, ws, f"{role}-1")
        assert client.get("/findings").status_code == 403
        assert 'href="/findings"' not in client.get("/").text
    assert html.escape("/findings") in signed_in(app, ws, "admin-1").get("/").text


def test_message_page_shows_context_hash_custody_findings_and_the_original(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    import hashlib

    from tests.inbox_data import POSTS

    ids = seed_inbox(ws, defender_id)
    with ws.session() as s:
        row = triage.inbox(s, triage.InboxFilter(finding_id=ids["doxing.phone"])).rows[0]
    client = signed_in(app, ws, "caseworker-1")
    inbox_page = client.get("/findings").text
    assert f'href="/messages/{row.message_id}"' in inbox_page
    page = client.get(f"/messages/{row.message_id}")
    assert page.status_code == 200
    text = page.text
    sha = hashlib.sha256(POSTS.read_bytes()).hexdigest()
    assert sha in text and "evidence.acquire" in text
    # Its conversation around it: the messages before and after, in time order.
    assert text.index("Vamos te matar") < text.index("&lt;script&gt;") < text.index(
        "Obrigada pelo trabalho")
    assert "<script>alert" not in text
    assert "<mark>(91) 98765-4321</mark>" in text and "Phone number exposed" in text
    original = client.get(f"/messages/{row.message_id}/original")
    assert original.status_code == 200
    assert original.content == POSTS.read_bytes()
    assert "attachment" in original.headers["content-disposition"]
    with ws.session() as s:
        log = [(e["action"], e["actor"]) for e in custody.list_entries(s)]
    assert ("evidence.download", "caseworker-1") in log
    assert client.get("/messages/99999").status_code == 404
    assert client.get("/messages/99999/original").status_code == 404
    assert signed_in(app, ws, "analyst-1").get(f"/messages/{row.message_id}").status_code == 403


def test_a_caseworker_reads_only_the_findings_of_their_cases(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff],
) -> None:
    """The inbox, the message page and the API ask the cases' need-to-know."""
    from amparo.store.defenders import add_defender
    from tests.web.conftest import add_user

    seed_inbox(ws, defender_id)
    with ws.session() as s:
        other = add_defender(s, "Defensora B", actor="tester").id
    add_user(ws, "caseworker-2", "caseworker")
    outsider = signed_in(app, ws, "caseworker-2")
    page = outsider.get("/findings")
    assert page.status_code == 200 and _rows(page.text) == []
    with ws.session() as s:
        row = triage.inbox(s, triage.InboxFilter()).rows[0]
    assert outsider.get(f"/messages/{row.message_id}").status_code == 404
    give_case(ws, other, "caseworker-2")  # a case, but about another defender
    assert _rows(outsider.get("/findings").text) == []
    give_case(ws, defender_id, "caseworker-2")
    assert len(_rows(outsider.get("/findings").text)) == 5
    assert outsider.get(f"/messages/{row.message_id}").status_code == 200
