"""The case service: what the CLI (`amparo case ...`) and the web (/api/v1/cases) call. Each
function works in the caller's transaction (one call, one transaction), checks need-to-know
through `policy`, records every change in the case's activity, and writes every view and
change to the custody log.

A caller outside a case gets NotFound, exactly as for a case that does not exist; a caller
who may read a case but not do what was asked gets Forbidden."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from amparo.accounts.roles import Role
from amparo.cases import policy
from amparo.cases.policy import Op, Relation
from amparo.cases.workflow import Status, check_move, parse_status
from amparo.errors import AmparoError, InvalidValue, NotFound
from amparo.store import custody
from amparo.store.tables import (
    Case,
    CaseActivity,
    CaseAssignee,
    CaseLink,
    CaseNote,
    CaseShare,
    CaseTask,
    Defender,
    EvidenceItem,
    FindingRow,
    Message,
    User,
)

LINK_KINDS = ("finding", "message", "evidence")
MAX_TITLE = 300


class CaseNotFound(NotFound):
    """No such case, or one outside the caller's need-to-know: the same answer for both."""


class Forbidden(AmparoError, PermissionError):
    """The caller may see the case but not do this to it."""


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or the workspace's own actor (the CLI, admin-like)."""

    name: str
    role: str
    user_id: int | None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.username, user.role, user.id)

    @classmethod
    def workspace(cls, name: str) -> Actor:
        return cls(name, Role.ADMIN.value, None)


def _now() -> datetime:
    return datetime.now(UTC)


def _not_found(case_id: int) -> CaseNotFound:
    return CaseNotFound(f"no case {case_id}")


def relation(s: Session, actor: Actor, case_id: int) -> Relation:
    """How `actor` stands to the case: assigned, shared, or neither."""
    if actor.user_id is None:
        return Relation.NONE
    for table, relation in ((CaseAssignee, Relation.ASSIGNED), (CaseShare, Relation.SHARED)):
        if s.get(table, (case_id, actor.user_id)) is not None:
            return relation
    return Relation.NONE


def _open(s: Session, actor: Actor, case_id: int, op: Op) -> Case:
    case = s.get(Case, case_id)
    how = relation(s, actor, case_id) if case is not None else Relation.NONE
    if case is None or not policy.allowed(actor.role, how, Op.READ):
        raise _not_found(case_id)
    if not policy.allowed(actor.role, how, op):
        raise Forbidden(f"your role may not {op.value} case {case_id}")
    return case


def _record(s: Session, actor: Actor, case: Case, action: str, **details: Any) -> None:
    now = _now()
    case.updated_at = now
    s.add(CaseActivity(case_id=case.id, at=now, actor=actor.name, action=action,
                       details=json.dumps(details, sort_keys=True, default=str)))
    custody.append(s, actor=actor.name, action=f"case.{action}", object_type="case",
                   object_id=str(case.id), details=details)


def _viewed(s: Session, actor: Actor, object_id: str, action: str, **details: Any) -> None:
    custody.append(s, actor=actor.name, action=f"case.{action}", object_type="case",
                   object_id=object_id, details=details)


def _user(s: Session, username: str) -> User:
    user = s.execute(select(User).where(User.username == username.strip().lower())
                     ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def _assignee(s: Session, username: str) -> User:
    user = _user(s, username)
    if not policy.assignable(user.role):
        raise InvalidValue(f"{user.username!r} is a {user.role}: only admins, coordinators "
                           "and caseworkers can be assigned to a case")
    return user


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidValue("a title is required")
    if len(title) > MAX_TITLE:
        raise InvalidValue(f"the title is longer than {MAX_TITLE} characters")
    return title


def create_case(
    s: Session, actor: Actor, defender_id: int, title: str, assignees: Sequence[str] = (),
) -> Case:
    """Open a case in status `new`. A caseworker who opens a case is assigned to it, so it
    does not vanish from their own list."""
    if not policy.may_create(actor.role):
        raise Forbidden("your role may not open cases")
    if s.get(Defender, defender_id) is None:
        raise NotFound(f"no defender {defender_id}")
    people = [_assignee(s, name) for name in dict.fromkeys(assignees)]
    if actor.role == Role.CASEWORKER and actor.user_id is not None \
            and actor.user_id not in {u.id for u in people}:
        people.append(s.get_one(User, actor.user_id))
    now = _now()
    case = Case(defender_id=defender_id, title=_title(title), status=Status.NEW.value,
                created_by=actor.name, created_at=now, updated_at=now)
    s.add(case)
    s.flush()
    for user in people:
        s.add(CaseAssignee(case_id=case.id, user_id=user.id))
    _record(s, actor, case, "create", defender_id=defender_id, title=case.title,
            assignees=[u.username for u in people])
    return case


def _visible_case_ids(actor: Actor) -> Any:
    """A subquery of the ids of the cases `actor` may read (for roles that do not see all)."""
    uid = actor.user_id if actor.user_id is not None else -1
    return select(CaseAssignee.case_id).where(CaseAssignee.user_id == uid).union(
        select(CaseShare.case_id).where(CaseShare.user_id == uid))


def _readable_cases(s: Session, actor: Actor) -> Any:
    query = select(Case)
    if not policy.sees_all(actor.role):
        if not any(policy.allowed(actor.role, r, Op.READ) for r in Relation):
            return query.where(Case.id.is_(None))  # analysts: nothing
        query = query.where(Case.id.in_(_visible_case_ids(actor)))
    return query


def list_cases(s: Session, actor: Actor, *, status: str | None = None) -> list[dict[str, Any]]:
    query = _readable_cases(s, actor)
    if status is not None:
        query = query.where(Case.status == parse_status(status).value)
    cases = list(s.execute(query.order_by(Case.updated_at.desc(), Case.id.desc())).scalars())
    _viewed(s, actor, "*", "list", count=len(cases), status=status)
    names = _pseudonyms(s, {c.defender_id for c in cases})
    return [summary(c, names.get(c.defender_id, "")) for c in cases]


def _pseudonyms(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = s.execute(select(Defender.id, Defender.pseudonym).where(Defender.id.in_(ids)))
    return {i: p for i, p in rows}


def summary(case: Case, defender: str) -> dict[str, Any]:
    return {"id": case.id, "defender_id": case.defender_id, "defender": defender,
            "title": case.title, "status": case.status, "created_by": case.created_by,
            "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
            "closed_reason": case.closed_reason}


def _usernames(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = s.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {i: name for i, name in rows}


def _task_dict(t: CaseTask, names: dict[int, str], today: date) -> dict[str, Any]:
    return {"id": t.id, "title": t.title, "due": t.due.isoformat() if t.due else None,
            "assignee": names.get(t.assignee_id) if t.assignee_id else None,
            "done": t.done_at is not None,
            "done_at": t.done_at.isoformat() if t.done_at else None, "done_by": t.done_by,
            "overdue": is_overdue(t, today), "created_by": t.created_by}


def is_overdue(task: CaseTask, today: date | None = None) -> bool:
    today = today or _now().date()
    return task.done_at is None and task.due is not None and task.due < today


def get_case(s: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """The whole case as the caller may see it: internal notes only for those allowed."""
    case = _open(s, actor, case_id, Op.READ)
    internal = policy.allowed(actor.role, relation(s, actor, case_id), Op.READ_INTERNAL)
    assignees = list(s.execute(select(CaseAssignee.user_id).where(
        CaseAssignee.case_id == case_id)).scalars())
    shares = list(s.execute(select(CaseShare.user_id).where(
        CaseShare.case_id == case_id)).scalars())
    notes_q = select(CaseNote).where(CaseNote.case_id == case_id)
    if not internal:
        notes_q = notes_q.where(CaseNote.shared.is_(True))
    notes = list(s.execute(notes_q.order_by(CaseNote.id)).scalars())
    tasks = list(s.execute(select(CaseTask).where(CaseTask.case_id == case_id)
                           .order_by(CaseTask.done_at.is_not(None), CaseTask.due.is_(None),
                                     CaseTask.due, CaseTask.id)
                           ).scalars())
    links = list(s.execute(select(CaseLink).where(CaseLink.case_id == case_id)
                           .order_by(CaseLink.id)).scalars())
    names = _usernames(s, set(assignees) | set(shares)
                       | {t.assignee_id for t in tasks if t.assignee_id})
    today = _now().date()
    _viewed(s, actor, str(case_id), "view", internal_notes=internal)
    out = summary(case, _pseudonyms(s, {case.defender_id}).get(case.defender_id, ""))
    out.update({
        "assignees": sorted(names[i] for i in assignees),
        "shared_with": sorted(names[i] for i in shares),
        "notes": [{"id": n.id, "author": n.author, "shared": n.shared, "text": n.text,
                   "supersedes": n.supersedes, "created_at": n.created_at.isoformat()}
                  for n in notes],
        "internal_notes_hidden": not internal,
        "tasks": [_task_dict(t, names, today) for t in tasks],
        "links": [{"kind": link.kind, "id": link.target_id, "linked_by": link.linked_by,
                   "linked_at": link.linked_at.isoformat()} for link in links],
        "activity": _activity(s, case_id, internal),
    })
    return out


def _activity(s: Session, case_id: int, internal: bool) -> list[dict[str, Any]]:
    rows = s.execute(select(CaseActivity).where(CaseActivity.case_id == case_id)
                     .order_by(CaseActivity.id)).scalars()
    found = [{"at": a.at.isoformat(), "actor": a.actor, "action": a.action,
              "details": json.loads(a.details)} for a in rows]
    # Those who may not read internal notes do not learn when or by whom they were written.
    return [e for e in found
            if internal or e["action"] != "note" or e["details"].get("shared")]


def activity(s: Session, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    _open(s, actor, case_id, Op.READ)
    internal = policy.allowed(actor.role, relation(s, actor, case_id), Op.READ_INTERNAL)
    _viewed(s, actor, str(case_id), "view-activity")
    return _activity(s, case_id, internal)


def transition(s: Session, actor: Actor, case_id: int, status: str, reason: str) -> Case:
    """Move a case along its workflow; closing needs a reason, kept on the case."""
    case = _open(s, actor, case_id, Op.WORK)
    target = parse_status(status)
    check_move(case.status, target)
    reason = reason.strip()
    if target is Status.CLOSED and not reason:
        raise InvalidValue("closing a case needs a reason")
    before = case.status
    case.status = target.value
    case.closed_reason = reason if target is Status.CLOSED else None
    _record(s, actor, case, "move", before=before, after=target.value, reason=reason)
    return case


def _set_membership(
    s: Session, actor: Actor, case_id: int, username: str, table: type[CaseAssignee | CaseShare],
    add: bool, action: str,
) -> Case:
    case = _open(s, actor, case_id, Op.MANAGE)
    user = _assignee(s, username) if table is CaseAssignee and add else _user(s, username)
    present = s.get(table, (case_id, user.id)) is not None
    if add and not present:
        s.add(table(case_id=case_id, user_id=user.id))
    elif not add and present:
        s.execute(delete(table).where(table.case_id == case_id, table.user_id == user.id))
    elif not add:
        raise InvalidValue(f"{user.username!r} is not on case {case_id}")
    else:
        return case  # already there: nothing changes, nothing to record
    _record(s, actor, case, action, user=user.username)
    return case


def assign(s: Session, actor: Actor, case_id: int, username: str) -> Case:
    return _set_membership(s, actor, case_id, username, CaseAssignee, True, "assign")


def unassign(s: Session, actor: Actor, case_id: int, username: str) -> Case:
    return _set_membership(s, actor, case_id, username, CaseAssignee, False, "unassign")


def share(s: Session, actor: Actor, case_id: int, username: str) -> Case:
    """Give one user read access to the case (need-to-know beyond its assignees)."""
    return _set_membership(s, actor, case_id, username, CaseShare, True, "share")


def unshare(s: Session, actor: Actor, case_id: int, username: str) -> Case:
    return _set_membership(s, actor, case_id, username, CaseShare, False, "unshare")


def add_note(
    s: Session, actor: Actor, case_id: int, text: str, *, shared: bool = False,
    supersedes: int | None = None,
) -> CaseNote:
    """Notes are append-only: a correction is a new note that `supersedes` an earlier one,
    which stays in the case as written."""
    case = _open(s, actor, case_id, Op.WORK)
    if not text.strip():
        raise InvalidValue("a note needs some text")
    if supersedes is not None:
        old = s.get(CaseNote, supersedes)
        if old is None or old.case_id != case_id:
            raise NotFound(f"no note {supersedes} in case {case_id}")
    note = CaseNote(case_id=case_id, author=actor.name, shared=shared, text=text.strip(),
                    supersedes=supersedes, created_at=_now())
    s.add(note)
    s.flush()
    # The text itself stays out of the custody log and the activity (it may be private).
    _record(s, actor, case, "note", note=note.id, shared=shared, supersedes=supersedes)
    return note


def add_task(
    s: Session, actor: Actor, case_id: int, title: str, *, due: date | None = None,
    assignee: str | None = None,
) -> CaseTask:
    case = _open(s, actor, case_id, Op.WORK)
    user = _assignee(s, assignee) if assignee else None
    task = CaseTask(case_id=case_id, title=_title(title), due=due,
                    assignee_id=user.id if user else None, created_by=actor.name,
                    created_at=_now())
    s.add(task)
    s.flush()
    _record(s, actor, case, "task", task=task.id, title=task.title,
            due=due.isoformat() if due else None, assignee=user.username if user else None)
    return task


def complete_task(s: Session, actor: Actor, case_id: int, task_id: int) -> CaseTask:
    case = _open(s, actor, case_id, Op.WORK)
    task = s.get(CaseTask, task_id)
    if task is None or task.case_id != case_id:
        raise NotFound(f"no task {task_id} in case {case_id}")
    if task.done_at is not None:
        raise InvalidValue(f"task {task_id} is already done")
    task.done_at, task.done_by = _now(), actor.name
    _record(s, actor, case, "task-done", task=task_id)
    return task


def _target_defender(s: Session, kind: str, target_id: int) -> int | None:
    if kind == "finding":
        query = select(Message.defender_id).join(FindingRow, FindingRow.message_id == Message.id
                                                 ).where(FindingRow.id == target_id)
    elif kind == "message":
        query = select(Message.defender_id).where(Message.id == target_id)
    elif kind == "evidence":
        query = select(EvidenceItem.defender_id).where(EvidenceItem.id == target_id)
    else:
        raise InvalidValue(f"unknown link kind {kind!r}; choose one of {', '.join(LINK_KINDS)}")
    return s.execute(query).scalar_one_or_none()


def link(s: Session, actor: Actor, case_id: int, kind: str, target_id: int) -> CaseLink:
    """Link a finding, message or evidence item of the case's own defender."""
    case = _open(s, actor, case_id, Op.WORK)
    owner = _target_defender(s, kind, target_id)
    if owner is None:
        raise NotFound(f"no {kind} {target_id}")
    if owner != case.defender_id:
        raise InvalidValue(f"{kind} {target_id} belongs to another defender than case "
                           f"{case_id}")
    found = s.execute(select(CaseLink).where(
        CaseLink.case_id == case_id, CaseLink.kind == kind, CaseLink.target_id == target_id)
    ).scalar_one_or_none()
    if found is not None:
        return found
    row = CaseLink(case_id=case_id, kind=kind, target_id=target_id, linked_by=actor.name,
                   linked_at=_now())
    s.add(row)
    s.flush()
    _record(s, actor, case, "link", kind=kind, id=target_id)
    return row


def unlink(s: Session, actor: Actor, case_id: int, kind: str, target_id: int) -> None:
    case = _open(s, actor, case_id, Op.WORK)
    gone = s.execute(delete(CaseLink).where(
        CaseLink.case_id == case_id, CaseLink.kind == kind, CaseLink.target_id == target_id))
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"case {case_id} has no link to {kind} {target_id}")
    _record(s, actor, case, "unlink", kind=kind, id=target_id)


def visible_defender_ids(s: Session, user: User) -> set[int] | None:
    """The defenders whose messages and findings `user` may see: None means all (admins,
    coordinators); a caseworker, those of the cases assigned or shared to them; viewers and
    analysts, none (they read shared cases, or aggregates)."""
    if policy.sees_all(user.role):
        return None
    if not policy.sees_defender_material(user.role):
        return set()
    ids = _visible_case_ids(Actor.of(user))
    return set(s.execute(select(Case.defender_id).where(Case.id.in_(ids))).scalars())


def counts_by_status(s: Session) -> dict[str, int]:
    """Aggregates any staff role may see (analysts included): no case content."""
    rows = s.execute(select(Case.status, func.count()).group_by(Case.status))
    found = {status: n for status, n in rows}
    return {st.value: int(found.get(st.value, 0)) for st in Status}


def overdue_tasks(s: Session, actor: Actor) -> int:
    """How many open tasks past their due date the caller's readable cases hold."""
    query = select(func.count()).select_from(CaseTask).where(
        CaseTask.done_at.is_(None), CaseTask.due < _now().date())
    if not policy.sees_all(actor.role):
        query = query.where(CaseTask.case_id.in_(_visible_case_ids(actor)))
    return int(s.execute(query).scalar_one())
