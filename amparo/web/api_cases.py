"""The cases API under /api/v1/cases: each route is a few lines over amparo.cases.service,
which decides need-to-know. A caller outside a case gets 404, as for a case that does not
exist; one who may read it but not change it gets 403. Every call writes to the custody log
(views included), so each runs in a write transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from amparo.accounts.roles import Permission
from amparo.cases import service
from amparo.cases.service import Actor, Forbidden
from amparo.errors import AmparoError, NotFound
from amparo.web.api import router
from amparo.web.context import web
from amparo.web.guard import current_user, requires

T = TypeVar("T")


class NewCase(BaseModel):
    defender_id: int
    title: str = Field(max_length=300)
    assignees: list[str] = []


class Move(BaseModel):
    status: str
    reason: str = ""


class NewNote(BaseModel):
    text: str
    shared: bool = False  # False: internal to the staff
    supersedes: int | None = None


class NewTask(BaseModel):
    title: str = Field(max_length=300)
    due: date | None = None
    assignee: str | None = None


class LinkIn(BaseModel):
    kind: str  # finding, message or evidence
    id: int


class Person(BaseModel):
    username: str


def _call(request: Request, fn: Callable[[Session, Actor], T], status: int = 200,
          ) -> JSONResponse:
    """Run one service call as the signed-in user, in one transaction; map its errors."""
    actor = Actor.of(current_user(request))
    try:
        with web(request).write() as s:
            result: Any = fn(s, actor)
    except NotFound as exc:  # the same answer for a missing case and a hidden one
        return JSONResponse({"detail": str(exc)}, status_code=404)
    except Forbidden as exc:
        return JSONResponse({"detail": str(exc)}, status_code=403)
    except AmparoError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    return JSONResponse(result, status_code=status)


def _detail(case_id: int) -> Callable[[Session, Actor], dict[str, Any]]:
    return lambda s, a: service.get_case(s, a, case_id)


def _then_detail(case_id: int, change: Callable[[Session, Actor], object],
                 ) -> Callable[[Session, Actor], dict[str, Any]]:
    def run(s: Session, a: Actor) -> dict[str, Any]:
        change(s, a)
        return service.get_case(s, a, case_id)
    return run


@router.post("/cases", status_code=201)
@requires(Permission.WORK_CASES)
def api_case_create(request: Request, body: NewCase) -> JSONResponse:
    def run(s: Session, a: Actor) -> dict[str, Any]:
        case = service.create_case(s, a, body.defender_id, body.title, body.assignees)
        return service.get_case(s, a, case.id)
    return _call(request, run, status=201)


@router.get("/cases")
@requires(Permission.VIEW_CASES)
def api_cases(request: Request, status: str | None = None) -> JSONResponse:
    return _call(request, lambda s, a: service.list_cases(s, a, status=status))


@router.get("/cases/counts")
@requires(Permission.VIEW_DASHBOARD)
def api_case_counts(request: Request) -> JSONResponse:
    """Cases per status and the caller's overdue tasks: aggregates, no case content."""
    def run(s: Session, a: Actor) -> dict[str, Any]:
        return {"by_status": service.counts_by_status(s),
                "overdue_tasks": service.overdue_tasks(s, a)}
    return _call(request, run)


@router.get("/cases/{case_id}")
@requires(Permission.VIEW_CASES)
def api_case(request: Request, case_id: int) -> JSONResponse:
    return _call(request, _detail(case_id))


@router.post("/cases/{case_id}/move")
@requires(Permission.WORK_CASES)
def api_case_move(request: Request, case_id: int, body: Move) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.transition(
        s, a, case_id, body.status, body.reason)))


@router.post("/cases/{case_id}/notes", status_code=201)
@requires(Permission.WORK_CASES)
def api_case_note(request: Request, case_id: int, body: NewNote) -> JSONResponse:
    return _call(request, lambda s, a: {"id": service.add_note(
        s, a, case_id, body.text, shared=body.shared, supersedes=body.supersedes).id},
        status=201)


@router.post("/cases/{case_id}/tasks", status_code=201)
@requires(Permission.WORK_CASES)
def api_case_task(request: Request, case_id: int, body: NewTask) -> JSONResponse:
    return _call(request, lambda s, a: {"id": service.add_task(
        s, a, case_id, body.title, due=body.due, assignee=body.assignee).id}, status=201)


@router.post("/cases/{case_id}/tasks/{task_id}/done")
@requires(Permission.WORK_CASES)
def api_case_task_done(request: Request, case_id: int, task_id: int) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.complete_task(
        s, a, case_id, task_id)))


@router.post("/cases/{case_id}/links")
@requires(Permission.WORK_CASES)
def api_case_link(request: Request, case_id: int, body: LinkIn) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.link(
        s, a, case_id, body.kind, body.id)))


@router.post("/cases/{case_id}/links/remove")
@requires(Permission.WORK_CASES)
def api_case_unlink(request: Request, case_id: int, body: LinkIn) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.unlink(
        s, a, case_id, body.kind, body.id)))


@router.post("/cases/{case_id}/assignees")
@requires(Permission.WORK_CASES)
def api_case_assign(request: Request, case_id: int, body: Person) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.assign(
        s, a, case_id, body.username)))


@router.post("/cases/{case_id}/assignees/remove")
@requires(Permission.WORK_CASES)
def api_case_unassign(request: Request, case_id: int, body: Person) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.unassign(
        s, a, case_id, body.username)))


@router.post("/cases/{case_id}/shares")
@requires(Permission.WORK_CASES)
def api_case_share(request: Request, case_id: int, body: Person) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.share(
        s, a, case_id, body.username)))


@router.post("/cases/{case_id}/shares/remove")
@requires(Permission.WORK_CASES)
def api_case_unshare(request: Request, case_id: int, body: Person) -> JSONResponse:
    return _call(request, _then_detail(case_id, lambda s, a: service.unshare(
        s, a, case_id, body.username)))
