"""The cases pages: the list (with a form to open a case) and one case (move, notes, tasks).
Each handler is a few lines over amparo.cases.service, which decides need-to-know: a case
outside the caller's reach answers 404, as one that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from amparo.accounts.roles import Permission, allows
from amparo.cases import service
from amparo.cases.policy import Op, allowed
from amparo.cases.service import Actor, CaseNotFound, Forbidden
from amparo.cases.workflow import MOVES, Status
from amparo.errors import AmparoError
from amparo.store.defenders import list_defenders
from amparo.web.context import web
from amparo.web.guard import GuardedRoute, current_user, requires
from amparo.web.i18n import N_
from amparo.web.i18n import gettext as _
from amparo.web.render import render

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
FormStr = Annotated[str, Form()]

STATUS_NAMES = {Status.NEW: N_("New"), Status.TRIAGE: N_("Triage"), Status.ACTIVE: N_("Active"),
                Status.REFERRED: N_("Referred"), Status.CLOSED: N_("Closed")}
NOT_DONE = N_("That change was not made: %(reason)s")


def status_name(value: str) -> str:
    known = {s.value: name for s, name in STATUS_NAMES.items()}
    return _(known[value]) if value in known else value


def _actor(request: Request) -> Actor:
    return Actor.of(current_user(request))


def _cases_page(request: Request, error: str | None = None, status_code: int = 200,
                ) -> Response:
    actor = _actor(request)
    with web(request).write() as s:  # listing cases is logged in the custody log
        cases = service.list_cases(s, actor)
        defenders = [(d.id, d.pseudonym) for d in list_defenders(s)]
    may_open = allows(actor.role, Permission.WORK_CASES)
    return render(request, "cases.html", status_code=status_code, cases=cases,
                  defenders=defenders if may_open else [], may_open=may_open,
                  status_name=status_name, error=error, notice=None)


@router.get("/cases")
@requires(Permission.VIEW_CASES)
def cases_page(request: Request) -> Response:
    return _cases_page(request)


@router.post("/cases")
@requires(Permission.WORK_CASES)
def cases_open(request: Request, defender_id: Annotated[int, Form()], title: FormStr,
               assignees: Annotated[str, Form()] = "") -> Response:
    names = [n.strip() for n in assignees.replace(";", ",").split(",") if n.strip()]
    try:
        with web(request).write() as s:
            case_id = service.create_case(s, _actor(request), defender_id, title, names).id
    except AmparoError as exc:
        return _cases_page(request, error=_(NOT_DONE) % {"reason": str(exc)}, status_code=400)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _case_page(request: Request, case_id: int, error: str | None = None,
               status_code: int = 200) -> Response:
    actor = _actor(request)
    try:
        with web(request).write() as s:
            case = service.get_case(s, actor, case_id)
            relation = service.relation(s, actor, case_id)
    except CaseNotFound:
        raise HTTPException(404) from None
    return render(request, "case.html", status_code=status_code, case=case,
                  may_work=allowed(actor.role, relation, Op.WORK),
                  moves=[m for m in Status if m in MOVES[Status(case["status"])]],
                  status_name=status_name, error=error, notice=None)


@router.get("/cases/{case_id}")
@requires(Permission.VIEW_CASES)
def case_page(request: Request, case_id: int) -> Response:
    return _case_page(request, case_id)


def _change(request: Request, case_id: int, fn: Callable[[Session, Actor], Any]) -> Response:
    try:
        with web(request).write() as s:
            fn(s, _actor(request))
    except CaseNotFound:
        raise HTTPException(404) from None
    except Forbidden:
        raise HTTPException(403) from None
    except AmparoError as exc:
        return _case_page(request, case_id, _(NOT_DONE) % {"reason": str(exc)}, 400)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/move")
@requires(Permission.WORK_CASES)
def case_move(request: Request, case_id: int, status: FormStr,
              reason: Annotated[str, Form()] = "") -> Response:
    return _change(request, case_id,
                   lambda s, a: service.transition(s, a, case_id, status, reason))


@router.post("/cases/{case_id}/notes")
@requires(Permission.WORK_CASES)
def case_note(request: Request, case_id: int, text: FormStr,
              shared: Annotated[str, Form()] = "") -> Response:
    return _change(request, case_id, lambda s, a: service.add_note(
        s, a, case_id, text, shared=shared == "yes"))


@router.post("/cases/{case_id}/tasks")
@requires(Permission.WORK_CASES)
def case_task(request: Request, case_id: int, title: FormStr,
              due: Annotated[date | None, Form()] = None,
              assignee: Annotated[str, Form()] = "") -> Response:
    return _change(request, case_id, lambda s, a: service.add_task(
        s, a, case_id, title, due=due, assignee=assignee.strip() or None))


@router.post("/cases/{case_id}/tasks/{task_id}/done")
@requires(Permission.WORK_CASES)
def case_task_done(request: Request, case_id: int, task_id: int) -> Response:
    return _change(request, case_id,
                   lambda s, a: service.complete_task(s, a, case_id, task_id))



