"""`amparo user`, `amparo token` and `amparo serve`, in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from amparo.accounts import totp
from tests.test_cli import amparo, cli_env, runner  # noqa: F401 - the shared CLI fixture
from tests.web.conftest import BASE, csrf_of

PASSWORD = "a long enough password"


def add(name: str, role: str, password: str = PASSWORD, code: int = 0) -> str:
    from amparo.cli import app

    result = runner.invoke(app, ["user", "add", name, "--role", role, "--password-stdin",
                                 "--json"], input=password + "\n")
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout if code == 0 else result.stderr


def test_user_and_token_commands(cli_env: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    made = json.loads(add("ana", "coordinator"))
    assert set(made) == {"username", "role", "totp_secret", "recovery_codes"}
    assert made["username"] == "ana" and made["role"] == "coordinator"
    assert len(made["recovery_codes"]) == 10 and len(made["totp_secret"]) == 32
    assert "at least 12" in add("bea", "viewer", password="short", code=2)
    assert "unknown role" in add("bea", "chief", code=2)
    assert "already exists" in add("ana", "viewer", code=2)

    listed = json.loads(amparo("user", "list", "--json"))
    assert [(u["username"], u["two_factor"]) for u in listed] == [("ana", True)]
    amparo("user", "reset-2fa", "ana")
    assert json.loads(amparo("user", "list", "--json"))[0]["two_factor"] is False
    amparo("user", "reset-2fa", "nobody", code=2)

    token = json.loads(amparo("token", "create", "ana", "--json"))
    assert token["token"].startswith("amparo_")
    assert token["token"] not in amparo("token", "list", "--json")
    amparo("token", "revoke", str(token["id"]))
    assert json.loads(amparo("token", "list", "--json"))[0]["revoked"] is True
    amparo("token", "revoke", "99", code=2)
    amparo("user", "disable", "ana")
    amparo("token", "create", "ana", code=2)
    amparo("user", "enable", "ana")
    custody = amparo("custody", "list", "--json")
    for action in ("user.create", "user.reset-2fa", "token.create", "token.revoke",
                   "user.disable", "user.enable"):
        assert action in custody


def test_serve_demo_login_prints_a_sign_in_that_works(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    amparo("init", "--insecure-demo-key")
    for _ in range(2):  # a second start renews the credentials
        out = amparo("serve", "--demo-login", "--port", "8123")
    assert served["port"] == 8123 and served["host"] == "127.0.0.1"
    password = re.search(r"password:\s+(\S+)", out)
    secret = re.search(r"TOTP secret:\s+(\S+)", out)
    assert password and secret
    with TestClient(served["app"], base_url=BASE, follow_redirects=False) as c:
        page = c.get("/login")
        r = c.post("/login", data={"username": "demo", "password": password.group(1),
                                   "csrf_token": csrf_of(page.text)})
        assert r.headers["location"] == "/login/code"
        page = c.get("/login/code")
        r = c.post("/login/code", data={"code": totp.code_at(secret.group(1), time.time()),
                                        "csrf_token": csrf_of(page.text)})
        assert r.headers["location"] == "/"
        assert "demo" in c.get("/").text


def test_demo_login_is_refused_on_a_real_workspace(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    from amparo.cli import app

    amparo("init", "--key-file", str(tmp_path / "vault.key"))
    monkeypatch.setenv("AMPARO_KEY_FILE", str(tmp_path / "vault.key"))
    result = runner.invoke(app, ["serve", "--demo-login"])
    assert result.exit_code == 2 and "demo workspace" in result.stderr


def test_the_command_line_does_not_load_the_web_stack() -> None:
    import subprocess
    import sys

    code = ("import sys, amparo.cli; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'jinja2', 'segno') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
