"""`amparo serve`, `amparo user ...` and `amparo token ...`: the web application and its
accounts. FastAPI and uvicorn are imported inside `serve`, so other commands start fast."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from amparo.accounts.roles import Role
from amparo.cli_common import err, fail, out, settings, workspace

if TYPE_CHECKING:  # the accounts and the store are imported where used (see cli.py)
    from sqlalchemy.orm import Session

    from amparo.accounts import users
    from amparo.store.workspace import Workspace

user_app = typer.Typer(no_args_is_help=True, help="Staff accounts of the web application.")
token_app = typer.Typer(no_args_is_help=True, help="API bearer tokens (act as their user).")
DEMO_USER = "demo"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _print_credentials(new: users.NewUser, password: str | None = None) -> None:
    out.print(f"username:       {new.username}")
    if password is not None:
        out.print(f"password:       {password}")
    out.print(f"role:           {new.role}")
    if new.totp_secret:
        out.print(f"TOTP secret:    {new.totp_secret}  (add it to an authenticator app)")
        out.print("recovery codes: " + "  ".join(new.recovery_codes)
                  + "  (each signs in once; keep them safe)")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, coordinator, caseworker, analyst or "
                                           "viewer.")] = Role.CASEWORKER.value,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a staff user, with two-factor sign-in set up: prints the TOTP secret and the
    recovery codes once."""
    from amparo.accounts import users
    from amparo.accounts.policy import Policy

    password = _read_password(password_stdin)
    with workspace() as ws:
        with ws.session() as s:
            new = users.create_user(s, ws.key, Policy.from_env(), username, role, password,
                                    actor=ws.settings.actor, enrol_now=True)
        ws.after_commit()
    if as_json:
        out.print_json(json.dumps({"username": new.username, "role": new.role,
                                   "totp_secret": new.totp_secret,
                                   "recovery_codes": new.recovery_codes}))
    else:
        _print_credentials(new)


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List staff users."""
    from amparo.accounts import users

    with workspace() as ws, ws.session() as s:
        rows = [users.user_dict(u) for u in users.list_users(s)]
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("username", "role", "two-factor", "status", "created")
    for r in rows:
        table.add_row(str(r["username"]), str(r["role"]), "yes" if r["two_factor"] else "no",
                      "disabled" if r["disabled"] else "active", str(r["created_at"])[:19])
    out.print(table)


def _change_user(change: Callable[[Session, str], object], done: str) -> None:
    """Apply one account change (custody-logged) and say what was done."""
    with workspace() as ws:
        with ws.session() as s:
            change(s, ws.settings.actor)
        ws.after_commit()
    out.print(done)


@user_app.command("reset-2fa")
def user_reset_2fa(username: str) -> None:
    """Forget a user's TOTP secret and recovery codes; they set it up again at next sign-in."""
    from amparo.accounts import users

    _change_user(lambda s, actor: users.reset_second_factor(s, username, actor=actor),
                 f"Two-factor sign-in of {username} was reset; their sessions were ended.")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user: signs them out and revokes their API tokens."""
    from amparo.accounts import users

    _change_user(lambda s, actor: users.set_disabled(s, username, True, actor=actor),
                 f"{username} is disabled.")


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled user again (and clear a sign-in lockout)."""
    from amparo.accounts import users

    _change_user(lambda s, actor: users.set_disabled(s, username, False, actor=actor),
                 f"{username} is enabled.")


@token_app.command("create")
def token_create(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API token for USERNAME; it is shown once and acts with the user's role."""
    from amparo.accounts import tokens

    with workspace() as ws:
        with ws.session() as s:
            token_id, token = tokens.create(s, username, label, actor=ws.settings.actor)
        ws.after_commit()
    if as_json:
        out.print_json(json.dumps({"token": token, "id": token_id}))
    else:
        out.print(f"token {token_id} for {username} (shown once): {token}")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke an API token by its id (see `amparo token list`)."""
    from amparo.accounts import tokens

    _change_user(lambda s, actor: tokens.revoke(s, token_id, actor=actor),
                 f"token {token_id} is revoked.")


@token_app.command("list")
def token_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List API tokens (never the tokens themselves)."""
    from amparo.accounts import tokens

    with workspace() as ws, ws.session() as s:
        rows = tokens.list_tokens(s)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("id", "user", "label", "created", "last used", "revoked")
    for r in rows:
        table.add_row(str(r["id"]), str(r["user"]), str(r["label"]), str(r["created_at"])[:19],
                      str(r["last_used_at"] or "")[:19], "yes" if r["revoked"] else "")
    out.print(table)


def _demo_login(ws: Workspace) -> None:
    """Create or renew the demo administrator and print how to sign in."""
    from amparo.accounts import users
    from amparo.accounts.policy import Policy

    ws_key = ws.key
    if ws.key_mode != "insecure-demo":
        fail("--demo-login is only for the demo workspace (insecure demo key)")
    password = secrets.token_urlsafe(12)
    policy = Policy.from_env()
    with ws.session() as s:
        try:
            users.get_user(s, DEMO_USER)
        except LookupError:
            new = users.create_user(s, ws_key, policy, DEMO_USER, Role.ADMIN.value, password,
                                    actor=ws.settings.actor, enrol_now=True)
        else:
            new = users.reissue_credentials(s, ws_key, policy, DEMO_USER, password,
                                            actor=ws.settings.actor)
    ws.after_commit()
    out.print("[bold]Demo sign-in[/] (renewed at every start; demo workspace only):")
    _print_credentials(new, password)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo_login: Annotated[bool, typer.Option(
        help="Create or renew the 'demo' administrator and print its sign-in (demo "
             "workspace only).")] = False,
) -> None:
    """Serve the web application (and the JSON API under /api/v1)."""
    import uvicorn

    from amparo.accounts.policy import Policy
    from amparo.web.app import create_app

    policy = Policy.from_env()
    with workspace() as ws:
        if demo_login:
            _demo_login(ws)
        if policy.cookie_secure and not host.startswith("127.") and host != "localhost":
            err.print("note: serve it behind HTTPS (a reverse proxy); sign-in cookies are "
                      "Secure and are not sent over plain HTTP.")
        if not policy.cookie_secure and host not in {"127.0.0.1", "localhost", "::1"}:
            err.print("[yellow]warning:[/] AMPARO_COOKIE_SECURE=0 on a non-loopback address: "
                      "sign-in cookies can be read on the network.")
        out.print(f"Serving {settings().home} at http://{host}:{port}  (Ctrl+C stops)")
        uvicorn.run(create_app(ws, policy), host=host, port=port, log_level="info",
                    server_header=False, proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
