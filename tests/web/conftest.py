"""Web fixtures: the app over a real workspace (SQLite and PostgreSQL, from tests/conftest.py),
users of every role, and signed-in clients. Password hashing uses small Argon2id costs so the
tests stay quick; the code path is the production one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from amparo.accounts import sessions, totp, users
from amparo.accounts.policy import Policy
from amparo.accounts.roles import Role
from amparo.store.tables import User
from amparo.store.workspace import Workspace
from amparo.web.app import create_app

PASSWORD = "correct horse battery staple"
FAST = Policy(hash_time_cost=1, hash_memory_kib=8 * 1024)
BASE = "https://testserver"


@dataclass
class Staff:
    username: str
    role: str
    secret: str
    recovery_codes: list[str]


@pytest.fixture
def policy() -> Policy:
    return FAST


@pytest.fixture
def app(ws: Workspace, policy: Policy) -> FastAPI:
    return create_app(ws, policy)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        yield c


def add_user(ws: Workspace, username: str, role: str, *, policy: Policy = FAST) -> Staff:
    with ws.session() as s:
        new = users.create_user(s, ws.key, policy, username, role, PASSWORD, actor="tester",
                                enrol_now=True)
    ws.after_commit()
    assert new.totp_secret is not None
    return Staff(new.username, new.role, new.totp_secret, new.recovery_codes)


@pytest.fixture
def staff(ws: Workspace) -> dict[str, Staff]:
    """One user per role, enrolled (as `amparo user add` makes them)."""
    return {r.value: add_user(ws, f"{r.value}-1", r.value) for r in Role}


def session_cookie(ws: Workspace, username: str, policy: Policy = FAST) -> str:
    """A fully signed-in session made through the service, without the sign-in pages."""
    with ws.session() as s:
        user = users.get_user(s, username)
        token = sessions.start(s, policy, user, sessions.FULL)
    return token


def signed_in(app: FastAPI, ws: Workspace, username: str) -> TestClient:
    c = TestClient(app, base_url=BASE, follow_redirects=False)
    c.cookies.set(app.state.web.session_cookie, session_cookie(ws, username))
    return c


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def current_code(secret: str) -> str:
    return totp.code_at(secret, time.time())


def sign_in(client: TestClient, who: Staff, code: str | None = None) -> None:
    """The whole browser flow: password form, then the TOTP form."""
    page = client.get("/login")
    r = client.post("/login", data={"username": who.username, "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login/code", r.text
    page = client.get("/login/code")
    r = client.post("/login/code", data={"code": code or current_code(who.secret),
                                         "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text


def get_user(ws: Workspace, username: str) -> User:
    with ws.session() as s:
        return users.get_user(s, username)
