"""The cases JSON API over HTTP, in process, on SQLite and PostgreSQL: the issue's contract
(POST 201 with an id, lists limited to what the caller may see, 404 outside a case), the
work routes, and role x own / other's / shared case over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from amparo.accounts import tokens
from amparo.web.app import create_app
from tests.cases.conftest import World
from tests.web.conftest import BASE, FAST


@pytest.fixture
def api(world: World) -> dict[str, TestClient]:
    """A client per user, each with its own bearer token."""
    app = create_app(world.ws, FAST)
    clients = {}
    for name in ("admin-1", "coordinator-1", "caseworker-1", "caseworker-2", "analyst-1",
                 "viewer-1"):
        with world.ws.session() as s:
            _id, token = tokens.create(s, name, "test", actor="tester")
        world.ws.after_commit()
        clients[name] = TestClient(app, base_url=BASE, follow_redirects=False,
                                   headers={"Authorization": f"Bearer {token}"})
    return clients


def _open(api: dict[str, TestClient], world: World, *assignees: str) -> int:
    r = api["coordinator-1"].post("/api/v1/cases", json={
        "defender_id": world.defender_a, "title": "Doxing threats", "assignees": list(assignees)})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_the_issue_contract(api: dict[str, TestClient], world: World) -> None:
    r = api["coordinator-1"].post("/api/v1/cases", json={
        "defender_id": world.defender_a, "title": "Doxing threats",
        "assignees": ["caseworker-1"]})
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "new" and body["assignees"] == ["caseworker-1"]
    case_id = body["id"]
    assert [c["id"] for c in api["caseworker-1"].get("/api/v1/cases").json()] == [case_id]
    assert api["caseworker-2"].get("/api/v1/cases").json() == []
    assert api["caseworker-1"].get(f"/api/v1/cases/{case_id}").status_code == 200
    hidden = api["caseworker-2"].get(f"/api/v1/cases/{case_id}")
    missing = api["caseworker-2"].get(f"/api/v1/cases/{case_id + 100}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(case_id), "N") == \
        missing.json()["detail"].replace(str(case_id + 100), "N")
    assert api["analyst-1"].get("/api/v1/cases").status_code == 403
    assert api["analyst-1"].get("/api/v1/cases/counts").json()["by_status"]["new"] == 1


def test_a_caseworker_works_a_case_through_the_api(
    api: dict[str, TestClient], world: World,
) -> None:
    case_id = _open(api, world, "caseworker-1")
    me = api["caseworker-1"]
    base = f"/api/v1/cases/{case_id}"
    assert me.post(f"{base}/move", json={"status": "triage"}).json()["status"] == "triage"
    bad = me.post(f"{base}/move", json={"status": "referred"})
    assert bad.status_code == 422 and "cannot move from triage to referred" in bad.json()["detail"]
    assert me.post(f"{base}/notes", json={"text": "internal remark"}).status_code == 201
    assert me.post(f"{base}/notes", json={"text": "told the defender", "shared": True}
                   ).status_code == 201
    due = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    task = me.post(f"{base}/tasks", json={"title": "Call back", "due": due,
                                          "assignee": "caseworker-1"})
    assert task.status_code == 201
    assert api["caseworker-1"].get("/api/v1/cases/counts").json()["overdue_tasks"] == 1
    linked = me.post(f"{base}/links", json={"kind": "message", "id": world.messages_a[0]})
    assert linked.json()["links"][0]["id"] == world.messages_a[0]
    other = me.post(f"{base}/links", json={"kind": "message", "id": world.messages_b[0]})
    assert other.status_code == 422
    done = me.post(f"{base}/tasks/{task.json()['id']}/done").json()
    assert done["tasks"][0]["done"] and not done["tasks"][0]["overdue"]
    assert me.post(f"{base}/links/remove", json={"kind": "message", "id": world.messages_a[0]}
                   ).json()["links"] == []
    # Sharing is for coordinators: the caseworker may not; the coordinator shares to a viewer.
    assert me.post(f"{base}/shares", json={"username": "viewer-1"}).status_code == 403
    shared = api["coordinator-1"].post(f"{base}/shares", json={"username": "viewer-1"})
    assert shared.json()["shared_with"] == ["viewer-1"]
    seen = api["viewer-1"].get(base).json()
    assert [n["text"] for n in seen["notes"]] == ["told the defender"]
    assert api["viewer-1"].post(f"{base}/notes", json={"text": "x"}).status_code == 403
    actions = [a["action"] for a in api["admin-1"].get(base).json()["activity"]]
    assert actions == ["create", "move", "note", "note", "task", "link", "task-done", "unlink",
                       "share"]


@pytest.mark.parametrize(("who", "relation", "read", "write"), [
    ("admin-1", "others", 200, 201), ("coordinator-1", "others", 200, 201),
    ("caseworker-1", "own", 200, 201), ("caseworker-1", "others", 404, 404),
    ("caseworker-1", "shared", 200, 403), ("viewer-1", "shared", 200, 403),
    ("viewer-1", "others", 404, 403), ("analyst-1", "shared", 403, 403),
])
def test_roles_and_cases_over_the_api(
    api: dict[str, TestClient], world: World, who: str, relation: str, read: int, write: int,
) -> None:
    case_id = _open(api, world, "caseworker-1" if relation == "own" else "caseworker-2")
    if relation == "shared":
        r = api["coordinator-1"].post(f"/api/v1/cases/{case_id}/shares", json={"username": who})
        assert r.status_code == 200, r.text
    assert api[who].get(f"/api/v1/cases/{case_id}").status_code == read
    r = api[who].post(f"/api/v1/cases/{case_id}/notes", json={"text": "a note"})
    assert r.status_code == write  # viewers and analysts are refused by role first (403)


def test_bad_requests_say_what_is_wrong(api: dict[str, TestClient], world: World) -> None:
    me = api["coordinator-1"]
    r = me.post("/api/v1/cases", json={"defender_id": 999, "title": "x"})
    assert r.status_code == 404 and r.json()["detail"] == "no defender 999"
    r = me.post("/api/v1/cases", json={"defender_id": world.defender_a, "title": "x",
                                       "assignees": ["analyst-1"]})
    assert r.status_code == 422 and "analyst-1" in r.json()["detail"]
    assert me.post("/api/v1/cases", json={"title": "x"}).status_code == 400
    assert me.get("/api/v1/cases", params={"status": "open"}).status_code == 422
    assert api["viewer-1"].post("/api/v1/cases", json={
        "defender_id": world.defender_a, "title": "x"}).status_code == 403


def test_the_cases_api_is_in_the_openapi_document(api: dict[str, TestClient]) -> None:
    paths = api["admin-1"].get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/notes"} \
        <= set(paths)
