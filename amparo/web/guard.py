"""Deny by default. Each route declares the permission it needs with `@requires(...)`; the
route class below checks it before the endpoint runs (and before the body is parsed), and a
route that declared nothing answers 500 instead of serving. `create_app` also refuses to
start when any route escaped this class.

It also resolves who is asking (session cookie for pages, bearer token for /api) and checks
the CSRF token of every unsafe request that comes with cookies."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import HTTPException
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from amparo.accounts import sessions, tokens
from amparo.accounts.roles import Permission, allows
from amparo.store.tables import User, WebSession
from amparo.web import i18n
from amparo.web.context import WebContext, web

log = logging.getLogger("amparo.web")
ATTR = "__amparo_permission__"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])


def requires(permission: Permission) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        setattr(fn, ATTR, permission)
        return fn
    return mark


def declared(endpoint: Callable[..., Any]) -> Permission | None:
    value = getattr(endpoint, ATTR, None)
    return value if isinstance(value, Permission) else None


@dataclass
class Caller:
    user: User | None
    session: WebSession | None
    via_token: bool = False


class NotSignedIn(Exception):
    """Raised for pages: answered with a redirect to the sign-in page."""


def caller(request: Request) -> Caller:
    value = request.state.caller
    assert isinstance(value, Caller)
    return value


def current_user(request: Request) -> User:
    user = caller(request).user
    if user is None:  # the guard lets no such request through; this is belt and braces
        raise HTTPException(403)
    return user


def _resolve(ctx: WebContext, request: Request, api: bool) -> Caller:
    if api:
        header = request.headers.get("authorization", "")
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value:
            return Caller(None, None, via_token=True)
        with ctx.read() as s:
            return Caller(tokens.resolve(s, value.strip()), None, via_token=True)
    cookie = request.cookies.get(ctx.session_cookie)
    if not cookie:
        return Caller(None, None)
    with ctx.read() as s:
        found = sessions.resolve(s, ctx.policy, cookie)
    return Caller(found[1], found[0]) if found else Caller(None, None)


def csrf_token(request: Request) -> str:
    """The token forms carry: bound to the session once signed in, else to a random cookie
    (double submit) for the sign-in forms."""
    who = caller(request)
    if who.session is not None:
        return who.session.csrf
    token = getattr(request.state, "csrf_cookie", None)
    if not token:
        token = request.cookies.get(web(request).csrf_cookie) or secrets.token_urlsafe(32)
        request.state.csrf_cookie = token
    return str(token)


async def _csrf_ok(request: Request) -> bool:
    expected = csrf_token(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    return bool(sent) and hmac.compare_digest(str(sent), expected) and (
        caller(request).session is not None
        or request.cookies.get(web(request).csrf_cookie) == expected)


def _language(request: Request, user: User | None) -> str:
    if user is not None and user.language in i18n.LANGUAGES:
        return str(user.language)
    return i18n.negotiate(request.headers.get("accept-language"))


def _admitted(permission: Permission, who: Caller) -> bool | None:
    """True: serve; False: signed in but not allowed (403); None: must sign in first."""
    if permission is Permission.PUBLIC:
        return True
    if permission is Permission.SIGN_IN:
        pending = who.session is not None and who.session.stage == sessions.PENDING
        return True if pending else None
    if who.user is None or (who.session is not None and who.session.stage != sessions.FULL):
        return None
    return allows(who.user.role, permission)


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        permission = declared(self.endpoint)
        api = self.path.startswith("/api/")
        name = self.name

        async def handler(request: Request) -> Response:
            if permission is None:
                log.error("route %s declares no permission: refusing to serve it", name)
                raise HTTPException(500)
            ctx = web(request)
            who = await run_in_threadpool(_resolve, ctx, request, api)
            request.state.caller = who
            i18n.set_language(_language(request, who.user))
            admitted = _admitted(permission, who)
            if admitted is None:
                if api:
                    raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
                raise NotSignedIn
            if not admitted:
                raise HTTPException(403)
            if request.method not in SAFE_METHODS and not who.via_token \
                    and not await _csrf_ok(request):
                raise HTTPException(403, detail="csrf")
            response = await inner(request)
            fresh = getattr(request.state, "csrf_cookie", None)
            if fresh and request.cookies.get(ctx.csrf_cookie) != fresh:
                response.set_cookie(ctx.csrf_cookie, fresh, httponly=True, samesite="strict",
                                    secure=ctx.policy.cookie_secure, path="/")
            return response

        return handler


def to_login(request: Request) -> Response:
    return RedirectResponse("/login", status_code=303)
