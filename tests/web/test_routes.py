"""The pages and the API in process, on SQLite and PostgreSQL: sign-in with TOTP, enrolment,
lockout without user enumeration, CSRF, headers, languages, dashboard figures, users, API."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from amparo.accounts import tokens, totp, users
from amparo.accounts.policy import Policy
from amparo.accounts.roles import Permission
from amparo.detect.base import Severity
from amparo.store import custody
from amparo.store.analysis import analyze_defender
from amparo.store.importing import import_paths
from amparo.store.tables import FindingRow, Message
from amparo.store.workspace import Workspace
from amparo.web.app import create_app
from amparo.web.guard import GuardedRoute, requires
from tests.web.conftest import (
    BASE,
    FAST,
    PASSWORD,
    Staff,
    csrf_of,
    current_code,
    get_user,
    sign_in,
    signed_in,
)

HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_secure_headers(r: object) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    for name, value in HEADERS.items():
        assert value in headers.get(name, ""), (name, r)
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]


def test_sign_in_with_password_then_totp_then_sign_out(
    ws: Workspace, client: TestClient, staff: dict[str, Staff],
) -> None:
    assert client.get("/").headers["location"] == "/login"
    sign_in(client, staff["caseworker"])
    assert client.get("/login").headers["location"] == "/"  # already signed in
    page = client.get("/")
    assert page.status_code == 200 and "caseworker-1" in page.text
    assert page.headers["cache-control"] == "no-store"
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert client.get("/").headers["location"] == "/login"
    with ws.session() as s:
        log = [(e["action"], e["object_id"]) for e in custody.list_entries(s)]
    assert ("login", "caseworker-1") in log and ("logout", "caseworker-1") in log


def test_password_alone_gives_no_access(client: TestClient, staff: dict[str, Staff]) -> None:
    page = client.get("/login")
    client.post("/login", data={"username": "admin-1", "password": PASSWORD,
                                "csrf_token": csrf_of(page.text)})
    for path in ("/", "/account", "/admin/users"):
        assert client.get(path).headers["location"] == "/login"
    page = client.get("/login/code")
    r = client.post("/login/code", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "not accepted" in r.text
    assert client.get("/").status_code == 303


def test_recovery_code_signs_in_once(client: TestClient, staff: dict[str, Staff]) -> None:
    who = staff["analyst"]
    sign_in(client, who, code=who.recovery_codes[0])
    client.cookies.clear()
    with pytest.raises(AssertionError):
        sign_in(client, who, code=who.recovery_codes[0])


def test_session_cookie_is_secure_httponly_strict_and_renewed(
    client: TestClient, staff: dict[str, Staff],
) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": "viewer-1", "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text)})
    first = r.headers["set-cookie"]
    assert first.startswith("__Host-amparo_session=")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert attribute.lower() in first.lower()
    page = client.get("/login/code")
    r = client.post("/login/code", data={"code": current_code(staff["viewer"].secret),
                                         "csrf_token": csrf_of(page.text)})
    second = r.headers["set-cookie"]
    assert second.split(";")[0] != first.split(";")[0]  # a new id after the second factor


def test_first_sign_in_enrols_totp_and_shows_recovery_codes(
    ws: Workspace, client: TestClient,
) -> None:
    with ws.session() as s:
        users.create_user(s, ws.key, FAST, "nova", "caseworker", PASSWORD, actor="t",
                          enrol_now=False)
    page = client.get("/login")
    client.post("/login", data={"username": "nova", "password": PASSWORD,
                                "csrf_token": csrf_of(page.text)})
    assert client.get("/login/code").headers["location"] == "/login/enrol"
    page = client.get("/login/enrol")
    assert page.status_code == 200 and "<svg" in page.text
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)
    assert secret
    again = client.get("/login/enrol")  # reloading shows the same key
    assert secret.group(1) in again.text
    r = client.post("/login/enrol", data={
        "code": totp.code_at(secret.group(1).replace(" ", ""), time.time()),
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{14})</code></li>", r.text)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    assert get_user(ws, "nova").totp_confirmed


def _failed_login(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": csrf_of(page.text)})
    return r.status_code, re.sub(r'value="[^"]+"', "", r.text)


def test_lockout_and_refusals_do_not_reveal_whether_a_user_exists(
    ws: Workspace, staff: dict[str, Staff], monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = Policy(hash_time_cost=1, hash_memory_kib=8 * 1024, max_failures=3)
    verified: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str | bytes) -> bool:
        verified.append(hash[:9])
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    app = create_app(ws, policy)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        answers = set()
        for attempt in range(4):
            for name in ("admin-1", "nobody-here"):
                answers.add(_failed_login(client, name, f"wrong password {attempt}"))
        # Locked now: the right password gets the very same answer.
        answers.add(_failed_login(client, "admin-1", PASSWORD))
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 200 and "Sign-in failed" in body
    # Every attempt, known name or not, costs one Argon2id verification, so the time taken
    # does not tell either (counted here; timing itself is not asserted in a unit test).
    assert len(verified) == 9 and set(verified) == {"$argon2id"}
    assert get_user(ws, "admin-1").locked_until is not None


def test_too_many_attempts_from_one_address_are_slowed(ws: Workspace) -> None:
    policy = Policy(hash_time_cost=1, hash_memory_kib=8 * 1024, ip_attempts=3)
    with TestClient(create_app(ws, policy), base_url=BASE, follow_redirects=False) as client:
        statuses = [_failed_login(client, "someone", "password!!")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_csrf_token_is_required_on_every_unsafe_request(
    ws: Workspace, app: FastAPI, client: TestClient, staff: dict[str, Staff],
) -> None:
    assert client.post("/login", data={"username": "admin-1", "password": PASSWORD}) \
        .status_code == 403
    client.get("/login")
    r = client.post("/login", data={"username": "admin-1", "password": PASSWORD,
                                    "csrf_token": "forged"})
    assert r.status_code == 403
    signed = signed_in(app, ws, "caseworker-1")
    other = signed_in(app, ws, "viewer-1")
    other_token = csrf_of(other.get("/account").text)
    for data in ({"language": "ar"}, {"language": "ar", "csrf_token": other_token}):
        r = signed.post("/account/language", data=data)
        assert r.status_code == 403 and "Sign-in failed" not in r.text
        assert_secure_headers(r)
    assert get_user(ws, "caseworker-1").language is None
    ok = signed.post("/account/language", data={
        "language": "ar", "csrf_token": csrf_of(signed.get("/account").text)})
    assert ok.status_code == 303
    # The header form (for htmx) is accepted too.
    r = signed.post("/account/language", data={"language": "fr"},
                    headers={"X-CSRF-Token": csrf_of(signed.get("/account").text)})
    assert r.status_code == 303 and get_user(ws, "caseworker-1").language == "fr"


def test_security_headers_on_every_kind_of_response(
    ws: Workspace, app: FastAPI, client: TestClient, staff: dict[str, Staff],
) -> None:
    signed = signed_in(app, ws, "admin-1")
    responses = [client.get("/login"), client.get("/"), client.get("/no/such/page"),
                 client.get("/static/app.css"), client.get("/api/v1/me"),
                 client.get("/api/v1/openapi.json"), client.post("/logout"),
                 signed.get("/"), signed.get("/account"), signed.get("/admin/users"),
                 signed.get("/login/code"), client.put("/login")]
    for r in responses:
        assert_secure_headers(r)
    assert responses[3].headers["cache-control"].startswith("public")
    assert all(r.headers["cache-control"] == "no-store" for r in responses if r is not
               responses[3])


def test_server_error_is_generic_with_headers_and_traceback_only_in_log(
    ws: Workspace, app: FastAPI, caplog: pytest.LogCaptureFixture,
) -> None:
    @requires(Permission.PUBLIC)
    def explode() -> None:
        raise RuntimeError("secret detail of the failure")

    app.router.routes.append(GuardedRoute("/explode", explode, name="explode"))
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        r = c.get("/explode", headers={"accept-language": "es"})
    assert r.status_code == 500
    assert "secret detail" not in r.text and "Traceback" not in r.text
    assert "Algo salió mal" in r.text
    assert_secure_headers(r)
    assert "secret detail of the failure" in caplog.text


def test_bad_form_is_a_generic_400_that_does_not_echo_input(
    ws: Workspace, client: TestClient,
) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"password": "hunter2-secret",
                                    "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "hunter2-secret" not in r.text


def test_arabic_is_right_to_left_and_language_follows_the_user(
    ws: Workspace, app: FastAPI, client: TestClient, staff: dict[str, Staff],
) -> None:
    r = client.get("/login", headers={"accept-language": "ar;q=0.9, de;q=1"})
    assert '<html lang="ar" dir="rtl">' in r.text and "تسجيل الدخول" in r.text
    r = client.get("/login", headers={"accept-language": "pt-BR,pt;q=0.9"})
    assert '<html lang="pt" dir="ltr">' in r.text and "Entrar" in r.text
    signed = signed_in(app, ws, "viewer-1")
    assert '<html lang="en" dir="ltr">' in signed.get("/").text
    signed.post("/account/language", data={
        "language": "ar", "csrf_token": csrf_of(signed.get("/account").text)})
    page = signed.get("/", headers={"accept-language": "fr"})  # the user's choice wins
    assert '<html lang="ar" dir="rtl">' in page.text and "لوحة المعلومات" in page.text


def test_dashboard_shows_the_workspace_figures(
    ws: Workspace, app: FastAPI, defender_id: int, staff: dict[str, Staff], tmp_path: Path,
) -> None:
    posts = tmp_path / "posts.jsonl"
    rows = ["sabemos onde você mora: Travessa das Mangueiras 214, Belém",
            "verifique sua conta: http://whatsapp-seguranca.net/login",
            "Bom dia a todos, reunião às 15h"]
    posts.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n"
                             for i, t in enumerate(rows)), encoding="utf-8")
    import_paths(ws, defender_id, [posts])
    analyze_defender(ws, defender_id, names=["links"], workers=1)
    with ws.session() as s:
        messages = s.execute(select(func.count()).select_from(Message)).scalar_one()
        by_level = dict(s.execute(select(FindingRow.severity, func.count())
                                  .group_by(FindingRow.severity)).all())
    assert messages == 3 and by_level
    page = signed_in(app, ws, "viewer-1").get("/")
    text = re.sub(r"\s+", " ", page.text)
    assert f'<span class="figure">{messages}</span> <span class="caption">Messages' in text
    assert "Defensora A" in text
    levels = re.findall(r'<tr class="sev-row sev-(\w+)">.*?<td class="num">(\d+)</td>', text)
    assert [name for name, _n in levels] == ["critical", "high", "medium", "low", "info"]
    for name, n in levels:
        assert int(n) == by_level.get(int(Severity[name.upper()]), 0)


def test_admin_adds_disables_and_resets_users(
    ws: Workspace, app: FastAPI, staff: dict[str, Staff],
) -> None:
    admin = signed_in(app, ws, "admin-1")
    page = admin.get("/admin/users")
    token = csrf_of(page.text)
    r = admin.post("/admin/users", data={"username": "rui", "role": "analyst",
                                         "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert "rui" in admin.get(r.headers["location"]).text
    bad = admin.post("/admin/users", data={"username": "rui", "role": "analyst",
                                           "password": PASSWORD, "csrf_token": token})
    assert bad.status_code == 400
    victim = signed_in(app, ws, "viewer-1")
    assert victim.get("/").status_code == 200
    assert admin.post("/admin/users/viewer-1/disable", data={"csrf_token": token}) \
        .status_code == 303
    assert victim.get("/").headers["location"] == "/login"
    assert get_user(ws, "viewer-1").disabled
    admin.post("/admin/users/viewer-1/enable", data={"csrf_token": token})
    admin.post("/admin/users/analyst-1/reset-2fa", data={"csrf_token": token})
    assert not get_user(ws, "analyst-1").totp_confirmed
    assert admin.post("/admin/users/admin-1/disable", data={"csrf_token": token}) \
        .status_code == 400
    assert admin.post("/admin/users/ghost/disable", data={"csrf_token": token}) \
        .status_code == 404


def test_change_password_signs_out_other_sessions(
    ws: Workspace, app: FastAPI, staff: dict[str, Staff],
) -> None:
    me = signed_in(app, ws, "coordinator-1")
    elsewhere = signed_in(app, ws, "coordinator-1")
    token = csrf_of(me.get("/account").text)
    new = "another long passphrase"
    wrong = me.post("/account/password", data={"current": "nope nope nope", "new": new,
                                               "confirm": new, "csrf_token": token})
    assert wrong.status_code == 400
    differ = me.post("/account/password", data={"current": PASSWORD, "new": new,
                                                "confirm": new + "x", "csrf_token": token})
    assert differ.status_code == 400
    ok = me.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new,
                                            "csrf_token": token})
    assert ok.status_code == 303
    with ws.session() as s:
        assert users.check_password(s, FAST, "coordinator-1", new) is not None
    assert me.get("/").status_code == 200
    assert elsewhere.get("/").headers["location"] == "/login"


def test_api_bearer_tokens_carry_the_role(
    ws: Workspace, client: TestClient, staff: dict[str, Staff],
) -> None:
    with ws.session() as s:
        _id, viewer = tokens.create(s, "viewer-1", "t", actor="t")
        admin_id, admin = tokens.create(s, "admin-1", "t", actor="t")

    def get(path: str, token: str | None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, headers=headers).status_code

    assert get("/api/v1/me", None) == 401
    assert get("/api/v1/me", "amparo_forged") == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {viewer}"}).json() \
        == {"username": "viewer-1", "role": "viewer", "language": None}
    assert get("/api/v1/overview", viewer) == 200
    assert get("/api/v1/users", viewer) == 403
    assert get("/api/v1/users", admin) == 200
    with ws.session() as s:
        tokens.revoke(s, admin_id, actor="t")
    assert get("/api/v1/users", admin) == 401
    # A browser session is no key to the API (no CSRF exposure there).
    sign_in(client, staff["admin"])
    assert client.get("/api/v1/me").status_code == 401


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/overview", "/api/v1/users"} <= set(doc["paths"])
    assert not any(p.startswith(("/login", "/admin", "/static")) for p in doc["paths"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_static_files_are_served_with_caching_and_nothing_else(client: TestClient) -> None:
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/htmx.min.js", headers={"if-none-match": r.headers["etag"]}) \
        .status_code == 304
    for path in ("/static/../app.py", "/static/%2e%2e%2fapp.py", "/static/nothing.css"):
        assert client.get(path).status_code == 404


def test_pages_load_nothing_from_elsewhere(
    ws: Workspace, app: FastAPI, staff: dict[str, Staff],
) -> None:
    admin = signed_in(app, ws, "admin-1")
    for path in ("/", "/account", "/admin/users"):
        html = admin.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert "style=" not in html and "<style" not in html and "onclick" not in html
        assert re.findall(r"<script[^>]*>", html) == [
            re.findall(r"<script[^>]*>", html)[0]]  # one external script: htmx
