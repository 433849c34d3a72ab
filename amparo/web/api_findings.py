"""`/api/v1/findings`: the inbox's list (same filters as the page) and triage decisions.
Registered on the API router (and so in its OpenAPI document) when imported by app.py."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, Field
from starlette.requests import Request

from amparo import triage
from amparo.accounts.roles import Permission
from amparo.errors import InvalidValue, NotFound
from amparo.web.api import router
from amparo.web.context import web
from amparo.web.guard import current_user, requires
from amparo.web.visibility import visible_defenders

__all__ = ["router"]


class SpanOut(BaseModel):
    start: int
    end: int
    text: str


class FindingOut(BaseModel):
    id: int
    message_id: int
    defender_id: int
    defender: str
    severity: str
    label: str
    detector: str
    score: float
    spans: list[SpanOut]
    explanation: str
    text: str
    author: str | None
    platform: str
    language: str | None
    timestamp_utc: str | None
    status: str
    reason: str | None
    decided_by: str | None
    decided_at: str | None


class FindingsOut(BaseModel):
    total: int
    page: int
    per_page: int
    findings: list[FindingOut]


class TriageIn(BaseModel):
    status: str = Field(description="confirmed, dismissed or escalated")
    reason: str = Field(description="why; kept in the custody log")


class ChangeOut(BaseModel):
    id: int
    from_status: str
    to_status: str
    reason: str
    actor: str
    at: str


@router.get("/findings", response_model=FindingsOut)
@requires(Permission.READ_FINDINGS)
def api_findings(request: Request, severity: str | None = None, label: str | None = None,
                 platform: str | None = None, language: str | None = None,
                 since: str | None = None, until: str | None = None,
                 defender: str | None = None, status: str | None = None, page: int = 1,
                 per_page: int = 50) -> dict[str, Any]:
    """Findings the caller may see, most severe first, then newest. `status` is new,
    confirmed, dismissed or escalated (default: any); dates are YYYY-MM-DD, inclusive."""
    try:
        flt = triage.parse_filter({"severity": severity, "label": label, "platform": platform,
                                   "language": language, "since": since, "until": until,
                                   "defender": defender, "status": status})
    except InvalidValue as exc:
        raise HTTPException(400, detail=str(exc)) from None
    per_page = max(1, min(per_page, 500))
    visible = visible_defenders(request)
    with web(request).read() as s:
        found = triage.inbox(s, flt, visible=visible, page=page, per_page=per_page)
    return {"total": found.total, "page": found.page, "per_page": found.per_page,
            "findings": [r.as_dict() for r in found.rows]}


@router.post("/findings/{finding_id}/triage", response_model=list[ChangeOut])
@requires(Permission.TRIAGE_FINDINGS)
def api_finding_triage(request: Request, finding_id: int,
                       body: TriageIn) -> list[dict[str, Any]]:
    """Record a decision with its reason; answers the finding's whole triage history."""
    user = current_user(request)
    visible = visible_defenders(request)
    try:
        with web(request).write() as s:
            triage.triage(s, [finding_id], body.status, body.reason, actor=user.username,
                          visible=visible)
            changes = triage.history(s, finding_id)
    except NotFound:
        raise HTTPException(404) from None
    except InvalidValue as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return [{"id": c.finding_id, "from_status": c.from_status, "to_status": c.to_status,
             "reason": c.reason, "actor": c.actor, "at": c.at.isoformat()} for c in changes]
