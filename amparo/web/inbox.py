"""The findings inbox: filter, read why each finding was raised, confirm / dismiss / escalate
with a reason, one at a time or in bulk. Every query goes through the reader's need-to-know
(`visible_defender_ids`); the decisions are amparo.triage's."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Form, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from amparo import triage
from amparo.accounts.roles import Permission
from amparo.detect.base import Severity
from amparo.errors import InvalidValue, NotFound
from amparo.message_view import message_view, original_of
from amparo.store import custody
from amparo.web.context import web
from amparo.web.guard import GuardedRoute, current_user, requires
from amparo.web.i18n import N_
from amparo.web.i18n import gettext as _
from amparo.web.render import render
from amparo.web.visibility import visible_defenders

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
PER_PAGE = 25

LABEL_NAMES = {
    "abuse.insult": N_("Insult"), "abuse.hate": N_("Hate speech"),
    "abuse.sexual": N_("Sexualised harassment"), "abuse.profanity": N_("Profanity"),
    "threat.violence": N_("Threat of violence"), "threat.death": N_("Death threat"),
    "threat.sexual": N_("Threat of sexual violence"),
    "threat.family": N_("Threat against family or close people"),
    "doxing.phone": N_("Phone number exposed"), "doxing.email": N_("Email address exposed"),
    "doxing.address": N_("Street address exposed"),
    "doxing.coordinates": N_("Coordinates exposed"),
    "doxing.id_number": N_("Identity number exposed"),
    "doxing.iban": N_("Bank account exposed"), "doxing.plate": N_("Vehicle plate exposed"),
    "doxing.ip": N_("IP address exposed"),
    "doxing.watchlist": N_("The defender's private data exposed"),
    "link.ioc": N_("Known spyware or phishing link"),
    "link.lookalike": N_("Look-alike domain"), "link.shortener": N_("Shortened link"),
}
FAMILY_NAMES = {"threat": N_("Threats"), "abuse": N_("Abuse"), "doxing": N_("Doxing"),
                "link": N_("Dangerous links")}
STATUS_NAMES = {"new": N_("New"), "confirmed": N_("Confirmed"), "dismissed": N_("Dismissed"),
                "escalated": N_("Escalated")}
ERRORS = {
    "reason": N_("Give a reason for the decision."),
    "none": N_("Select at least one finding first."),
    "action": N_("Choose confirm, dismiss or escalate."),
    "missing": N_("A finding was not found; nothing was changed."),
}


def label_name(label: str) -> str:
    return _(LABEL_NAMES[label]) if label in LABEL_NAMES else label


def _filter_values(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "") for k in triage.FILTER_FIELDS}


def _query(values: dict[str, str], **extra: object) -> str:
    kept = {k: v for k, v in values.items() if v}
    kept.update({k: str(v) for k, v in extra.items() if v})
    return urlencode(kept)


@router.get("/findings")
@requires(Permission.READ_FINDINGS)
def findings_page(request: Request, page: int = 1, done: int = 0,
                  error: str | None = None) -> Response:
    values = _filter_values(request)
    if "status" not in request.query_params:
        values["status"] = "new"  # the inbox opens on what nobody has decided yet
    try:
        flt = triage.parse_filter(values)
    except InvalidValue:
        raise HTTPException(400) from None
    visible = visible_defenders(request)
    with web(request).read() as s:
        found = triage.inbox(s, flt, visible=visible, page=page, per_page=PER_PAGE)
        menus = triage.choices(s, visible)
    notice = (_("Decision recorded for %(n)s finding(s).") % {"n": done}) if done else None
    back = _query(values, page=page if page > 1 else 0)
    pages = {n: "/findings?" + _query(values, page=n)
             for n in (found.page - 1, found.page + 1) if 1 <= n <= found.pages}
    return render(
        request, "inbox.html", found=found, values=values, menus=menus, back=back,
        pages=pages, notice=notice, error=_(ERRORS[error]) if error in ERRORS else None,
        severities=[str(x) for x in sorted(Severity, reverse=True)],
        families=FAMILY_NAMES, labels=LABEL_NAMES, statuses=STATUS_NAMES,
        label_name=label_name, excerpt=triage.excerpt)


def _safe_back(back: str) -> str:
    """The inbox's own filter query, rebuilt from known fields (never an open redirect)."""
    pairs = [(k, v) for k, v in parse_qsl(back) if k in (*triage.FILTER_FIELDS, "page")]
    return urlencode(pairs)


@router.post("/findings/triage")
@requires(Permission.TRIAGE_FINDINGS)
def findings_triage(
    request: Request,
    finding: Annotated[list[int] | None, Form()] = None,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    ctx = web(request)
    user = current_user(request)
    visible = visible_defenders(request)
    ids = finding or []
    error = None
    if action not in triage.ACTIONS:
        error = "action"
    elif not ids:
        error = "none"
    elif not reason.strip():
        error = "reason"
    else:
        try:
            with ctx.write() as s:
                triage.triage(s, ids, action, reason, actor=user.username, visible=visible)
        except NotFound:
            error = "missing"
        except InvalidValue:
            error = "reason"
    partial = request.headers.get("hx-request") == "true" and len(ids) == 1
    if partial and error is None:  # htmx swaps the row in place
        with ctx.read() as s:
            rows = triage.inbox(s, triage.InboxFilter(finding_id=ids[0]), visible=visible).rows
        return render(request, "_finding.html", row=rows[0], back=_safe_back(back),
                      statuses=STATUS_NAMES, label_name=label_name, excerpt=triage.excerpt,
                      just_done=True)
    if partial:
        raise HTTPException(400)
    query = _safe_back(back)
    extra = f"error={error}" if error else f"done={len(ids)}"
    return RedirectResponse(f"/findings?{query}&{extra}" if query else f"/findings?{extra}",
                            status_code=303)


@router.get("/messages/{message_id}")
@requires(Permission.READ_FINDINGS)
def message_page(request: Request, message_id: int) -> Response:
    visible = visible_defenders(request)
    try:
        with web(request).read() as s:
            view = message_view(s, message_id, visible=visible)
    except NotFound:
        raise HTTPException(404) from None
    spans = [span for row in view.findings for span in row.spans]
    return render(request, "message.html", view=view, spans=spans, statuses=STATUS_NAMES,
                  back="", label_name=label_name, excerpt=triage.excerpt,
                  highlight=triage.highlight)


@router.get("/messages/{message_id}/original")
@requires(Permission.READ_FINDINGS)
def message_original(request: Request, message_id: int) -> Response:
    """The original file the message was read from, decrypted from the vault and checked
    against its SHA-256 while streaming; the download is written to the custody log first."""
    ctx = web(request)
    user = current_user(request)
    visible = visible_defenders(request)
    try:
        with ctx.write() as s:
            item = original_of(s, message_id, visible=visible)
            custody.append(s, actor=user.username, action="evidence.download",
                           object_type="evidence", object_id=str(item.id),
                           details={"sha256": item.sha256, "message": message_id})
    except NotFound:
        raise HTTPException(404) from None
    name = item.original_name.replace("\\", "/").rsplit("/", 1)[-1] or "original"
    return StreamingResponse(
        ctx.ws.vault.open(item.sha256), media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                 "X-Amparo-SHA256": item.sha256})
