"""The JSON API under /api/v1: bearer tokens (`amparo token create`) acting with their user's
role. This session's endpoints: who am I, the workspace overview, the users (admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from amparo import __version__
from amparo.accounts import users
from amparo.accounts.roles import Permission
from amparo.overview import overview
from amparo.web.context import web
from amparo.web.guard import GuardedRoute, current_user, requires

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, route_class=GuardedRoute)


class Me(BaseModel):
    username: str
    role: str
    language: str | None


class RecentImport(BaseModel):
    id: int
    defender: str
    actor: str
    finished_at: str
    files: int
    new_messages: int


class OverviewOut(BaseModel):
    defenders: int
    messages: int
    findings_by_severity: dict[str, int]
    recent_imports: list[RecentImport]


class UserOut(BaseModel):
    username: str
    role: str
    disabled: bool
    two_factor: bool
    language: str | None
    created_at: str


@router.get("/me", response_model=Me)
@requires(Permission.OWN_ACCOUNT)
def me(request: Request) -> Me:
    user = current_user(request)
    return Me(username=user.username, role=user.role, language=user.language)


@router.get("/overview", response_model=OverviewOut)
@requires(Permission.VIEW_DASHBOARD)
def api_overview(request: Request) -> dict[str, Any]:
    with web(request).read() as s:
        return overview(s).as_dict()


@router.get("/users", response_model=list[UserOut])
@requires(Permission.MANAGE_USERS)
def api_users(request: Request) -> list[dict[str, object]]:
    with web(request).read() as s:
        return [users.user_dict(u) for u in users.list_users(s)]


@router.get("/openapi.json", include_in_schema=False)
@requires(Permission.PUBLIC)
def openapi(request: Request) -> JSONResponse:
    doc = get_openapi(
        title="Amparo API", version=__version__, routes=router.routes,
        description="Bearer tokens come from `amparo token create USER`; each acts with "
                    "its user's role.",
    )
    doc.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"}}
    doc["security"] = [{"bearer": []}]
    return JSONResponse(doc)
