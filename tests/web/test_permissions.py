"""Deny by default, checked from the app's own route table: every route declares a permission,
and every route x every role (and no one) gets exactly what the role allows. A new route is
covered here without anyone editing this file; one without a permission fails the build."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from amparo.accounts import tokens
from amparo.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from amparo.store.workspace import Workspace
from amparo.web.app import check_guarded, create_app
from amparo.web.guard import GuardedRoute, declared
from tests.web.conftest import BASE, FAST, Staff, add_user, signed_in

# Values for path parameters; "target" is a user no test client signs in as.
SAMPLES = {"username": "target", "name": "app.css", "case_id": "1", "task_id": "1",
           "finding_id": "1", "message_id": "1"}


def routes(app: FastAPI) -> list[tuple[str, str, GuardedRoute]]:
    found = []
    for route in app.routes:
        assert isinstance(route, GuardedRoute), route
        for method in sorted(route.methods - {"HEAD"}):
            path = re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m.group(1)], route.path)
            found.append((method, path, route))
    return found


def test_every_route_declares_a_permission(app: FastAPI) -> None:
    table = routes(app)
    assert len(table) >= 15
    for _method, _path, route in table:
        assert declared(route.endpoint) is not None, route.name


def test_a_route_without_permission_stops_the_app_and_refuses_to_serve(
    ws: Workspace, app: FastAPI,
) -> None:
    def forgotten() -> dict[str, str]:
        return {"secret": "data"}

    plain = FastAPI()
    plain.add_api_route("/plain", forgotten)
    with pytest.raises(RuntimeError, match="forgotten"):
        check_guarded(plain)
    app.router.routes.append(GuardedRoute("/forgotten", forgotten, name="forgotten"))
    with pytest.raises(RuntimeError, match="forgotten"):
        check_guarded(app)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        r = c.get("/forgotten")
    assert r.status_code == 500 and "secret" not in r.text


def _expected(permission: Permission, role: str | None) -> str:
    if permission is Permission.PUBLIC:
        return "served"
    if permission is Permission.SIGN_IN:  # only for the half-signed-in
        return "sign-in"
    if role is None:
        return "sign-in"
    return "served" if permission in ROLE_PERMISSIONS[Role(role)] else "forbidden"


def _outcome(status: int, location: str | None, api: bool) -> str:
    if status == 403 or (api and status == 401):
        return "forbidden" if status == 403 else "sign-in"
    if status == 303 and location == "/login":
        return "sign-in"
    return "served"


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
def test_permission_matrix_for_pages(
    ws: Workspace, app: FastAPI, staff: dict[str, Staff], role: str | None,
) -> None:
    add_user(ws, "target", "viewer")
    for method, path, route in routes(app):
        if path.startswith("/api/"):
            continue
        # A fresh session per request: some actions (disable, reset) end sessions.
        client = signed_in(app, ws, f"{role}-1") if role else TestClient(
            app, base_url=BASE, follow_redirects=False)
        page = client.get("/account" if role else "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"csrf_token": token.group(1)} if token else {}
        r = client.request(method, path, data=data if method == "POST" else None)
        permission = declared(route.endpoint)
        assert permission is not None
        got = _outcome(r.status_code, r.headers.get("location"), api=False)
        if permission is Permission.PUBLIC:  # e.g. sign-out answers with the sign-in page
            assert r.status_code not in (401, 403), (method, path, role, r.status_code)
            continue
        assert got == _expected(permission, role), (method, path, role, r.status_code)


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
def test_permission_matrix_for_the_api(
    ws: Workspace, app: FastAPI, staff: dict[str, Staff], role: str | None,
) -> None:
    headers = {}
    if role:
        with ws.session() as s:
            _id, token = tokens.create(s, f"{role}-1", "matrix", actor="t")
        headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    for method, path, route in routes(app):
        if not path.startswith("/api/"):
            continue
        r = client.request(method, path, headers=headers)
        permission = declared(route.endpoint)
        assert permission is not None
        got = _outcome(r.status_code, None, api=True)
        assert got == _expected(permission, role), (method, path, role, r.status_code)


def test_a_role_unknown_to_the_code_gets_nothing(ws: Workspace) -> None:
    add_user(ws, "odd", "viewer")
    with ws.session() as s:
        from amparo.accounts.users import get_user
        get_user(s, "odd").role = "superuser"
    app = create_app(ws, FAST)
    client = signed_in(app, ws, "odd")
    assert client.get("/").status_code == 403
    assert client.get("/account").status_code == 403


def test_routes_helper_sees_api_routes(app: FastAPI) -> None:
    assert any(isinstance(r, APIRoute) and r.path == "/api/v1/me" for r in app.routes)


# The reviewed decision for each route. A new route, or a changed permission, fails here
# until someone adds it deliberately: the matrix above proves enforcement, this pins intent.
REVIEWED = {
    "login_form": Permission.PUBLIC, "login": Permission.PUBLIC, "logout": Permission.PUBLIC,
    "static": Permission.PUBLIC, "openapi": Permission.PUBLIC,
    "code_form": Permission.SIGN_IN, "code": Permission.SIGN_IN,
    "enrol_form": Permission.SIGN_IN, "enrol": Permission.SIGN_IN,
    "dashboard": Permission.VIEW_DASHBOARD, "api_overview": Permission.VIEW_DASHBOARD,
    "account": Permission.OWN_ACCOUNT, "account_language": Permission.OWN_ACCOUNT,
    "account_password": Permission.OWN_ACCOUNT, "me": Permission.OWN_ACCOUNT,
    "users_page": Permission.MANAGE_USERS, "users_add": Permission.MANAGE_USERS,
    "users_disable": Permission.MANAGE_USERS, "users_enable": Permission.MANAGE_USERS,
    "users_reset": Permission.MANAGE_USERS, "api_users": Permission.MANAGE_USERS,
    "api_cases": Permission.VIEW_CASES, "api_case": Permission.VIEW_CASES,
    "api_case_counts": Permission.VIEW_DASHBOARD,
    "api_case_create": Permission.WORK_CASES, "api_case_move": Permission.WORK_CASES,
    "api_case_note": Permission.WORK_CASES, "api_case_task": Permission.WORK_CASES,
    "api_case_task_done": Permission.WORK_CASES, "api_case_link": Permission.WORK_CASES,
    "api_case_unlink": Permission.WORK_CASES, "api_case_assign": Permission.WORK_CASES,
    "api_case_unassign": Permission.WORK_CASES, "api_case_share": Permission.WORK_CASES,
    "api_case_unshare": Permission.WORK_CASES,
    "cases_page": Permission.VIEW_CASES, "case_page": Permission.VIEW_CASES,
    "cases_open": Permission.WORK_CASES, "case_move": Permission.WORK_CASES,
    "case_note": Permission.WORK_CASES, "case_task": Permission.WORK_CASES,
    "case_task_done": Permission.WORK_CASES,
    "findings_page": Permission.READ_FINDINGS, "api_findings": Permission.READ_FINDINGS,
    "findings_triage": Permission.TRIAGE_FINDINGS,
    "api_finding_triage": Permission.TRIAGE_FINDINGS,
    "message_page": Permission.READ_FINDINGS, "message_original": Permission.READ_FINDINGS,
}


def test_each_route_permission_is_the_reviewed_one(app: FastAPI) -> None:
    declared_now = {r.name: declared(r.endpoint) for _m, _p, r in routes(app)}
    assert declared_now == REVIEWED


def test_findings_are_for_casework_roles_only() -> None:
    for permission in (Permission.READ_FINDINGS, Permission.TRIAGE_FINDINGS):
        holders = {r for r, perms in ROLE_PERMISSIONS.items() if permission in perms}
        assert holders == {Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER}


def test_only_admins_manage_users() -> None:
    holders = {r for r, perms in ROLE_PERMISSIONS.items() if Permission.MANAGE_USERS in perms}
    assert holders == {Role.ADMIN}
