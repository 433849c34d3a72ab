"""The cases pages, signed in through real sessions: a caseworker opens a case from the list
page and works it with plain forms (no JavaScript); outsiders get 404; a viewer reads only the
shared notes; the pages come in the user's language."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from amparo.accounts import users
from amparo.cases import service
from amparo.cases.service import Actor
from amparo.web.app import create_app
from tests.cases.conftest import World
from tests.web.conftest import FAST, csrf_of, signed_in


@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(world.ws, FAST)


def _post(client: TestClient, page: str, url: str, data: dict[str, str]) -> str:
    form = client.get(page)
    r = client.post(url, data={**data, "csrf_token": csrf_of(form.text)})
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_a_caseworker_opens_and_works_a_case_with_plain_forms(
    app: FastAPI, world: World,
) -> None:
    me = signed_in(app, world.ws, "caseworker-1")
    assert "No cases for you yet." in me.get("/cases").text
    where = _post(me, "/cases", "/cases", {"defender_id": str(world.defender_a),
                                           "title": "Threats by phone", "assignees": ""})
    assert where.startswith("/cases/")
    _post(me, where, f"{where}/notes", {"text": "internal assessment"})
    _post(me, where, f"{where}/notes", {"text": "we called her", "shared": "yes"})
    _post(me, where, f"{where}/tasks", {"title": "Send the report", "due": "2020-01-01"})
    _post(me, where, f"{where}/move", {"status": "triage", "reason": ""})
    page = me.get(where).text
    assert "internal assessment" in page and "we called her" in page
    assert "Overdue" in page and "Triage" in page
    listing = me.get("/cases").text
    assert "Threats by phone" in listing and 'aria-current="page"' in listing
    bad = me.post(f"{where}/move", data={"status": "closed", "reason": "",
                                         "csrf_token": csrf_of(page)})
    assert bad.status_code == 400 and "closing a case needs a reason" in bad.text
    no_csrf = me.post(f"{where}/notes", data={"text": "x"})
    assert no_csrf.status_code == 403


def test_outsiders_get_404_and_viewers_read_only_shared_notes(
    app: FastAPI, world: World,
) -> None:
    with world.ws.session() as s:
        boss = Actor.workspace("tester")
        case = service.create_case(s, boss, world.defender_a, "Doxing", ["caseworker-2"])
        service.add_note(s, boss, case.id, "source: a colleague")
        service.add_note(s, boss, case.id, "report filed", shared=True)
        service.share(s, boss, case.id, "viewer-1")
        case_id = case.id
    world.ws.after_commit()
    outsider = signed_in(app, world.ws, "caseworker-1")
    assert outsider.get(f"/cases/{case_id}").status_code == 404
    assert "Doxing" not in outsider.get("/cases").text
    viewer = signed_in(app, world.ws, "viewer-1")
    page = viewer.get(f"/cases/{case_id}").text
    assert "report filed" in page and "source: a colleague" not in page
    assert 'action="/cases/' not in page  # no forms for a reader
    assert signed_in(app, world.ws, "analyst-1").get("/cases").status_code == 403


def test_the_case_page_in_arabic_is_right_to_left(app: FastAPI, world: World) -> None:
    with world.ws.session() as s:
        users.set_language(s, users.get_user(s, "coordinator-1"), "ar")
        case_id = service.create_case(s, Actor.workspace("tester"), world.defender_a,
                                      "Doxing").id
    page = signed_in(app, world.ws, "coordinator-1").get(f"/cases/{case_id}").text
    assert '<html lang="ar" dir="rtl">' in page and "الملاحظات" in page
