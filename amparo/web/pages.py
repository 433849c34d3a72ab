"""The HTML pages: sign-in (password, then TOTP), enrolment, sign-out, account settings,
dashboard, users. Each handler parses the form, calls a service, renders or redirects."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from amparo.accounts import sessions, totp, users
from amparo.accounts.roles import Permission, Role
from amparo.overview import overview
from amparo.store import custody
from amparo.store.tables import User, WebSession
from amparo.web.context import WebContext, web
from amparo.web.guard import GuardedRoute, caller, current_user, requires
from amparo.web.i18n import N_
from amparo.web.i18n import gettext as _
from amparo.web.render import render

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
FormStr = Annotated[str, Form()]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _with_session(ctx: WebContext, response: Response, token: str) -> Response:
    response.set_cookie(ctx.session_cookie, token, httponly=True, samesite="strict",
                        secure=ctx.policy.cookie_secure, path="/",
                        max_age=ctx.policy.session_max_hours * 3600)
    return response


def _pending(request: Request) -> WebSession:
    sess = caller(request).session
    assert sess is not None  # Permission.SIGN_IN guarantees a pending session
    return sess


SIGN_IN_FAILED = N_("Sign-in failed. Check your username and password, or wait a few "
                    "minutes and try again.")
CODE_FAILED = N_("That code was not accepted. Enter the current code from your app, or one "
                 "of your recovery codes.")
TOO_MANY = N_("Too many attempts from this connection. Wait a few minutes and try again.")


@router.get("/login")
@requires(Permission.PUBLIC)
def login_form(request: Request) -> Response:
    session = caller(request).session
    if session is not None and session.stage == sessions.FULL:
        return _redirect("/")
    return render(request, "login.html", error=None)


@router.post("/login")
@requires(Permission.PUBLIC)
def login(request: Request, username: FormStr, password: FormStr) -> Response:
    ctx = web(request)
    if not ctx.limiter.allow(_client(request)):
        return render(request, "login.html", status_code=429, error=_(TOO_MANY))
    with ctx.write() as s:
        old = request.cookies.get(ctx.session_cookie)
        if old:
            sessions.end(s, old)
        sessions.purge_expired(s)
        user = users.check_password(s, ctx.policy, username, password)
        token = sessions.start(s, ctx.policy, user, sessions.PENDING) if user else None
    if token is None:
        return render(request, "login.html", error=_(SIGN_IN_FAILED))
    return _with_session(ctx, _redirect("/login/code"), token)


@router.get("/login/code")
@requires(Permission.SIGN_IN)
def code_form(request: Request) -> Response:
    if not current_user(request).totp_confirmed:
        return _redirect("/login/enrol")
    return render(request, "code.html", error=None)


@router.post("/login/code")
@requires(Permission.SIGN_IN)
def code(request: Request, code: FormStr) -> Response:
    ctx = web(request)
    if not ctx.limiter.allow(_client(request)):
        return render(request, "code.html", status_code=429, error=_(TOO_MANY))
    sess = _pending(request)
    with ctx.write() as s:
        user = s.get(User, sess.user_id)
        live = s.get(WebSession, sess.id)
        ok = user is not None and live is not None and users.check_second_factor(
            s, ctx.ws.key, ctx.policy, user, code)
        token = sessions.promote(s, live) if ok and live is not None else None
    if token is None:
        return render(request, "code.html", error=_(CODE_FAILED))
    return _with_session(ctx, _redirect("/"), token)


def _enrol_page(request: Request, secret: str, username: str, error: str | None,
                status_code: int = 200) -> Response:
    uri = totp.provisioning_uri(secret, username)
    qr = segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return render(request, "enrol.html", status_code=status_code, secret=totp.format_secret(
        secret), qr_svg=qr, error=error)


@router.get("/login/enrol")
@requires(Permission.SIGN_IN)
def enrol_form(request: Request) -> Response:
    ctx = web(request)
    with ctx.write() as s:
        user = s.get(User, _pending(request).user_id)
        if user is None or user.totp_confirmed:
            return _redirect("/login/code")
        secret = users.enrolment_secret(s, ctx.ws.key, user)
        name = user.username
    return _enrol_page(request, secret, name, None)


@router.post("/login/enrol")
@requires(Permission.SIGN_IN)
def enrol(request: Request, code: FormStr) -> Response:
    ctx = web(request)
    sess = _pending(request)
    with ctx.write() as s:
        user = s.get(User, sess.user_id)
        live = s.get(WebSession, sess.id)
        if user is None or live is None or user.totp_confirmed:
            return _redirect("/login/code")
        codes = users.confirm_enrolment(s, ctx.ws.key, user, code)
        token = sessions.promote(s, live) if codes else None
        secret = users.enrolment_secret(s, ctx.ws.key, user) if codes is None else ""
        name = user.username
    if token is None or codes is None:
        return _enrol_page(request, secret, name, _(CODE_FAILED))
    # The page showing the codes is the response itself: they are never shown again.
    return _with_session(ctx, render(request, "recovery.html", codes=codes), token)


@router.post("/logout")
@requires(Permission.PUBLIC)
def logout(request: Request) -> Response:
    ctx = web(request)
    token = request.cookies.get(ctx.session_cookie)
    who = caller(request).user
    if token:
        with ctx.write() as s:
            sessions.end(s, token)
            if who is not None:
                custody.append(s, actor=who.username, action="logout", object_type="user",
                               object_id=who.username)
    response = _redirect("/login")
    response.delete_cookie(ctx.session_cookie, path="/", secure=ctx.policy.cookie_secure,
                           httponly=True, samesite="strict")
    return response


@router.get("/")
@requires(Permission.VIEW_DASHBOARD)
def dashboard(request: Request) -> Response:
    with web(request).read() as s:
        data = overview(s)
    total_findings = sum(n for _level, n in data.findings_by_severity)
    return render(request, "dashboard.html", ov=data, total_findings=total_findings)


ACCOUNT_DONE = {"language": N_("Your language was saved."),
                "password": N_("Your password was changed.")}


@router.get("/account")
@requires(Permission.OWN_ACCOUNT)
def account(request: Request, done: str | None = None) -> Response:
    notice = _(ACCOUNT_DONE[done]) if done in ACCOUNT_DONE else None
    return render(request, "account.html", notice=notice, error=None)


@router.post("/account/language")
@requires(Permission.OWN_ACCOUNT)
def account_language(request: Request, language: FormStr) -> Response:
    ctx = web(request)
    with ctx.write() as s:
        user = s.get(User, current_user(request).id)
        assert user is not None
        try:
            users.set_language(s, user, language)
        except users.AccountError:
            return render(request, "account.html", status_code=400, notice=None,
                          error=_("Choose one of the languages listed."))
    return _redirect("/account?done=language")


@router.post("/account/password")
@requires(Permission.OWN_ACCOUNT)
def account_password(request: Request, current: FormStr, new: FormStr,
                     confirm: FormStr) -> Response:
    ctx = web(request)
    error = None
    if new != confirm:
        error = _("The two new passwords differ.")
    else:
        with ctx.write() as s:
            user = s.get(User, current_user(request).id)
            assert user is not None
            try:
                if not users.change_password(s, ctx.policy, user, current, new):
                    error = _("Your current password was not accepted.")
                else:
                    sess = caller(request).session
                    assert sess is not None
                    sessions.end_others(s, user.id, keep=sess.id)
            except users.AccountError:
                error = _("The new password must be at least %(n)s characters long.") \
                    % {"n": ctx.policy.min_password_length}
    if error:
        return render(request, "account.html", status_code=400, notice=None, error=error)
    return _redirect("/account?done=password")


USERS_DONE = {
    "created": N_("The user was added. They set up two-factor sign-in when they first sign "
                  "in."),
    "disabled": N_("The user was disabled and signed out."),
    "enabled": N_("The user was enabled."),
    "reset": N_("Two-factor sign-in was reset: the user sets it up again at next sign-in."),
}


def _users_page(request: Request, *, notice: str | None, error: str | None,
                status_code: int = 200) -> Response:
    with web(request).read() as s:
        people = users.list_users(s)
    return render(request, "users.html", status_code=status_code, people=people,
                  roles=[r.value for r in Role], notice=notice, error=error)


@router.get("/admin/users")
@requires(Permission.MANAGE_USERS)
def users_page(request: Request, done: str | None = None) -> Response:
    notice = _(USERS_DONE[done]) if done in USERS_DONE else None
    return _users_page(request, notice=notice, error=None)


@router.post("/admin/users")
@requires(Permission.MANAGE_USERS)
def users_add(request: Request, username: FormStr, role: FormStr,
              password: FormStr) -> Response:
    ctx = web(request)
    actor = current_user(request).username
    try:
        with ctx.write() as s:
            users.create_user(s, ctx.ws.key, ctx.policy, username, role, password,
                              actor=actor, enrol_now=False)
    except ValueError:
        return _users_page(request, notice=None, status_code=400, error=_(
            "The user was not added: check that the username is new and made of lower-case "
            "letters, digits, '.', '_' or '-', and that the password is long enough."))
    return _redirect("/admin/users?done=created")


def _user_action(request: Request, username: str, action: str) -> Response:
    ctx = web(request)
    me = current_user(request)
    if username == me.username and action != "enable":
        return _users_page(request, notice=None, status_code=400,
                           error=_("You cannot do this to your own account."))
    try:
        with ctx.write() as s:
            if action == "reset":
                users.reset_second_factor(s, username, actor=me.username)
            else:
                users.set_disabled(s, username, action == "disabled", actor=me.username)
    except LookupError:
        return _users_page(request, notice=None, status_code=404,
                           error=_("There is no such user."))
    return _redirect(f"/admin/users?done={action}")


@router.post("/admin/users/{username}/disable")
@requires(Permission.MANAGE_USERS)
def users_disable(request: Request, username: str) -> Response:
    return _user_action(request, username, "disabled")


@router.post("/admin/users/{username}/enable")
@requires(Permission.MANAGE_USERS)
def users_enable(request: Request, username: str) -> Response:
    return _user_action(request, username, "enabled")


@router.post("/admin/users/{username}/reset-2fa")
@requires(Permission.MANAGE_USERS)
def users_reset(request: Request, username: str) -> Response:
    return _user_action(request, username, "reset")
