"""The application factory: routes, error pages, security headers, static files."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from amparo.accounts.policy import Policy
from amparo.accounts.roles import Permission
from amparo.store.workspace import Workspace
from amparo.web import (  # noqa: F401 - api_cases and api_findings add to api.router
    api,
    api_cases,
    api_findings,
    i18n,
    inbox,
    pages,
    pages_cases,
)
from amparo.web.context import RateLimiter, WebContext
from amparo.web.guard import GuardedRoute, NotSignedIn, declared, requires
from amparo.web.headers import SecurityHeaders, security_headers
from amparo.web.i18n import N_
from amparo.web.render import render, static_files

log = logging.getLogger("amparo.web")

static_router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml"}


@static_router.get("/static/{name}")
@requires(Permission.PUBLIC)
def static(request: Request, name: str) -> Response:
    found = static_files().get(name)
    suffix = name[name.rfind("."):] if "." in name else ""
    if found is None or suffix not in CONTENT_TYPES:
        raise HTTPException(404)
    data, digest = found
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=604800"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=CONTENT_TYPES[suffix], headers=headers)


TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


def _error(request: Request, status: int) -> Response:
    title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    if request.url.path.startswith(api.PREFIX + "/") or request.url.path == api.PREFIX:
        return JSONResponse({"detail": title}, status_code=status)
    if not hasattr(request.state, "caller"):  # refused before the guard ran (e.g. 404)
        i18n.set_language(i18n.negotiate(request.headers.get("accept-language")))
    return render(request, "error.html", status_code=status, title=i18n.gettext(title),
                  status=status)


def check_guarded(app: FastAPI) -> None:
    """Refuse to build an app with a route that escaped the permission check."""
    missing = [getattr(r, "name", repr(r)) for r in app.routes
               if not isinstance(r, GuardedRoute) or declared(r.endpoint) is None]
    if missing:
        raise RuntimeError(f"routes without a declared permission: {', '.join(missing)}; "
                           "refusing to serve")


def create_app(ws: Workspace, policy: Policy | None = None) -> FastAPI:
    policy = policy or Policy.from_env()
    app = FastAPI(title="Amparo", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = WebContext(ws, policy, RateLimiter(policy.ip_attempts, policy.ip_window_s))
    # The routers' routes are added as they are (not with include_router, which may wrap
    # them), so app.routes is the flat table the permission check and its tests walk.
    assert api_findings.router is api.router  # its routes are registered on the API's
    for router in (pages.router, pages_cases.router, inbox.router, api.router, static_router):
        app.router.routes.extend(router.routes)
    check_guarded(app)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default echoes the input back; a form may hold a password.
        return _error(request, 400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = _error(request, 500)
        # This handler answers outside the middleware stack: add the headers here too.
        for key, value in security_headers(hsts=policy.cookie_secure):
            response.headers[key.decode()] = value.decode()
        response.headers["cache-control"] = "no-store"
        return response

    app.add_middleware(SecurityHeaders, hsts=policy.cookie_secure)
    return app
