"""Need-to-know as a matrix: every role x its own (assigned) / another's / a shared case x
every operation of the case service. The expected outcomes are written out here by hand, so a
change in amparo/cases/policy.py that widens access fails this test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from amparo.accounts import users
from amparo.accounts.roles import Role
from amparo.cases import service
from amparo.cases.service import Actor, Forbidden
from amparo.errors import NotFound
from amparo.store.tables import CaseAssignee, CaseShare, User
from tests.cases.conftest import World

OK, NO, HIDDEN = "ok", "forbidden", "not-found"
READ_OPS = ("get", "list", "internal-notes", "activity")
WORK_OPS = ("note", "task", "done", "move", "link", "unlink")
MANAGE_OPS = ("assign", "share")
RELATIONS = ("own", "others", "shared")


def _row(read: str, internal: str, work: str, manage: str) -> dict[str, str]:
    row = {op: read for op in READ_OPS}
    row["internal-notes"] = internal
    row.update({op: work for op in WORK_OPS})
    row.update({op: manage for op in MANAGE_OPS})
    return row


ALL = _row(OK, OK, OK, OK)
NOTHING = _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN)
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "admin": {"own": ALL, "others": ALL, "shared": ALL},
    "coordinator": {"own": ALL, "others": ALL, "shared": ALL},
    "caseworker": {"own": _row(OK, OK, OK, NO), "others": NOTHING,
                   "shared": _row(OK, OK, NO, NO)},
    # Viewers read what is shared with them, never the internal notes; "own" for a viewer is
    # an assignee row put there directly (the service refuses to assign viewers).
    "viewer": {"own": _row(OK, NO, NO, NO), "others": NOTHING, "shared": _row(OK, NO, NO, NO)},
    "analyst": {"own": NOTHING, "others": NOTHING, "shared": NOTHING},
}


def _setup(world: World, relation: str, username: str) -> tuple[int, int]:
    """A case of defender A opened by a coordinator, with one internal and one shared note and
    one task; `username` related to it as `relation`. Returns (case id, task id)."""
    boss = world.actor("coordinator-1")
    with world.ws.session() as s:
        case = service.create_case(s, boss, world.defender_a, "Doxing threats", ["caseworker-2"])
        service.add_note(s, boss, case.id, "the defender's address is exposed")
        service.add_note(s, boss, case.id, "we filed a report with the platform", shared=True)
        task = service.add_task(s, boss, case.id, "Ask the platform for a takedown")
        service.link(s, boss, case.id, "message", world.messages_a[2])
        user_id = users.get_user(s, username).id
        if relation == "own":
            s.add(CaseAssignee(case_id=case.id, user_id=user_id))
        elif relation == "shared":
            s.add(CaseShare(case_id=case.id, user_id=user_id))
        ids = (case.id, task.id)
    world.ws.after_commit()
    return ids


def _operations(world: World, case_id: int, task_id: int) -> dict[str, Callable[..., Any]]:
    def internal(s: Session, a: Actor) -> None:
        got = service.get_case(s, a, case_id)
        if got["internal_notes_hidden"]:
            raise Forbidden("internal notes hidden")
        assert [n["shared"] for n in got["notes"]] == [False, True]

    def listed(s: Session, a: Actor) -> None:
        if case_id not in {c["id"] for c in service.list_cases(s, a)}:
            raise NotFound("not listed")

    return {
        "get": lambda s, a: service.get_case(s, a, case_id),
        "list": listed,
        "internal-notes": internal,
        "activity": lambda s, a: service.activity(s, a, case_id),
        "note": lambda s, a: service.add_note(s, a, case_id, "called the defender"),
        "task": lambda s, a: service.add_task(s, a, case_id, "Follow up",
                                              due=date(2030, 1, 1)),
        "done": lambda s, a: service.complete_task(s, a, case_id, task_id),
        "move": lambda s, a: service.transition(s, a, case_id, "triage", "first look"),
        "link": lambda s, a: service.link(s, a, case_id, "message", world.messages_a[0]),
        "unlink": lambda s, a: service.unlink(s, a, case_id, "message", world.messages_a[2]),
        "assign": lambda s, a: service.assign(s, a, case_id, "caseworker-1"),
        "share": lambda s, a: service.share(s, a, case_id, "viewer-1"),
    }


def _outcome(world: World, fn: Callable[..., Any], actor: Actor) -> str:
    try:
        with world.ws.session() as s:
            fn(s, actor)
    except NotFound:
        return HIDDEN
    except Forbidden:
        return NO
    return OK


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_need_to_know_matrix(world: World, role: str) -> None:
    username = f"{role}-1"
    got: dict[str, dict[str, str]] = {}
    for relation in RELATIONS:
        got[relation] = {}
        for op in [*READ_OPS, *WORK_OPS, *MANAGE_OPS]:
            case_id, task_id = _setup(world, relation, username)  # a fresh case per cell
            fn = _operations(world, case_id, task_id)[op]
            got[relation][op] = _outcome(world, fn, world.actor(username))
    assert got == EXPECTED[role]


def test_a_hidden_case_and_a_missing_case_answer_alike(world: World) -> None:
    case_id, _task = _setup(world, "others", "caseworker-1")
    outsider = world.actor("caseworker-1")
    messages = []
    for cid in (case_id, case_id + 1000):
        with pytest.raises(NotFound) as caught, world.ws.session() as s:
            service.get_case(s, outsider, cid)
        messages.append(str(caught.value).replace(str(cid), "N"))
    assert messages[0] == messages[1]


def test_visible_defender_ids_follow_the_cases(world: World) -> None:
    _setup(world, "shared", "caseworker-1")
    with world.ws.session() as s:
        def ids(name: str) -> set[int] | None:
            user: User = users.get_user(s, name)
            return service.visible_defender_ids(s, user)
        assert ids("admin-1") is None and ids("coordinator-1") is None
        assert ids("caseworker-1") == {world.defender_a}  # shared
        assert ids("caseworker-2") == {world.defender_a}  # assigned
        assert ids("analyst-1") == set() and ids("viewer-1") == set()
