"""The case service: workflow, people, append-only notes, tasks and overdue marks, links to the
case's own defender's material, activity history, and the custody log of views and changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from amparo.cases import service
from amparo.cases.service import Actor
from amparo.errors import InvalidValue, NotFound
from amparo.store import custody
from amparo.store.analysis import analyze_defender
from amparo.store.tables import Case, CaseNote, FindingRow, Message
from amparo.store.verify import verify_workspace
from tests.cases.conftest import World

BOSS = Actor.workspace("tester")


def _new(world: World, who: Actor = BOSS, assignees: tuple[str, ...] = ()) -> int:
    with world.ws.session() as s:
        case_id = service.create_case(s, who, world.defender_a, "  Doxing\n threats ",
                                      list(assignees)).id
    world.ws.after_commit()
    return case_id


def test_a_case_follows_its_workflow_and_keeps_its_history(world: World) -> None:
    case_id = _new(world, assignees=("caseworker-1",))
    with world.ws.session() as s:
        for status in ("triage", "active", "referred", "active"):
            service.transition(s, BOSS, case_id, status, "")
        with pytest.raises(InvalidValue, match="cannot move from active to new"):
            service.transition(s, BOSS, case_id, "new", "")
        with pytest.raises(InvalidValue, match="unknown case status 'open'"):
            service.transition(s, BOSS, case_id, "open", "")
        with pytest.raises(InvalidValue, match="closing a case needs a reason"):
            service.transition(s, BOSS, case_id, "closed", "  ")
        case = service.transition(s, BOSS, case_id, "closed", "defender is safe")
        assert case.status == "closed" and case.closed_reason == "defender is safe"
        reopened = service.transition(s, BOSS, case_id, "triage", "new threats")
        assert reopened.closed_reason is None
        got = service.get_case(s, BOSS, case_id)
    assert got["title"] == "Doxing threats" and got["assignees"] == ["caseworker-1"]
    moves = [(a["details"]["before"], a["details"]["after"]) for a in got["activity"]
             if a["action"] == "move"]
    assert moves == [("new", "triage"), ("triage", "active"), ("active", "referred"),
                     ("referred", "active"), ("active", "closed"), ("closed", "triage")]
    assert got["activity"][0]["action"] == "create"
    assert all(a["actor"] == "tester" for a in got["activity"])


def test_a_caseworker_who_opens_a_case_is_on_it(world: World) -> None:
    worker = world.actor("caseworker-1")
    case_id = _new(world, who=worker)
    with world.ws.session() as s:
        assert service.get_case(s, worker, case_id)["assignees"] == ["caseworker-1"]
        with pytest.raises(service.Forbidden):
            service.create_case(s, world.actor("analyst-1"), world.defender_a, "x")
        with pytest.raises(InvalidValue, match=r"viewer-1.*only admins"):
            service.create_case(s, BOSS, world.defender_a, "x", ["viewer-1"])
        with pytest.raises(NotFound, match="no user named 'nobody'"):
            service.create_case(s, BOSS, world.defender_a, "x", ["nobody"])
        with pytest.raises(NotFound, match="no defender 999"):
            service.create_case(s, BOSS, 999, "x")
        with pytest.raises(InvalidValue, match="a title is required"):
            service.create_case(s, BOSS, world.defender_a, " \n ")


def test_notes_are_append_only_and_internal_ones_stay_with_staff(world: World) -> None:
    case_id = _new(world, assignees=("caseworker-1",))
    with world.ws.session() as s:
        service.share(s, BOSS, case_id, "viewer-1")
        first = service.add_note(s, BOSS, case_id, "address seen in 3 posts")
        service.add_note(s, BOSS, case_id, "address seen in 4 posts", supersedes=first.id)
        service.add_note(s, BOSS, case_id, "we reported the posts", shared=True)
        with pytest.raises(InvalidValue, match="needs some text"):
            service.add_note(s, BOSS, case_id, "   ")
        with pytest.raises(NotFound, match="no note 999"):
            service.add_note(s, BOSS, case_id, "x", supersedes=999)
    with world.ws.session() as s:
        staff = service.get_case(s, world.actor("caseworker-1"), case_id)
        viewer = service.get_case(s, world.actor("viewer-1"), case_id)
        texts = list(s.execute(select(CaseNote.text).order_by(CaseNote.id)).scalars())
    assert [n["text"] for n in staff["notes"]] == texts  # nothing rewritten, all kept
    assert staff["notes"][1]["supersedes"] == first.id
    assert [n["text"] for n in viewer["notes"]] == ["we reported the posts"]
    assert viewer["internal_notes_hidden"] and not staff["internal_notes_hidden"]
    assert "address" not in json.dumps(viewer)
    assert [a["action"] for a in viewer["activity"]] == ["create", "share", "note"]
    assert [a["action"] for a in staff["activity"]] == ["create", "share", "note", "note",
                                                        "note"]


def test_tasks_are_marked_overdue_until_done(world: World) -> None:
    case_id = _new(world, assignees=("caseworker-1",))
    today = datetime.now(UTC).date()
    with world.ws.session() as s:
        late = service.add_task(s, BOSS, case_id, "Call the defender",
                                due=today - timedelta(days=2), assignee="caseworker-1")
        service.add_task(s, BOSS, case_id, "Report to platform", due=today + timedelta(days=3))
        service.add_task(s, BOSS, case_id, "Someday")
        with pytest.raises(InvalidValue, match=r"analyst-1.*only admins"):
            service.add_task(s, BOSS, case_id, "x", assignee="analyst-1")
        assert service.overdue_tasks(s, world.actor("caseworker-1")) == 1
        assert service.overdue_tasks(s, world.actor("caseworker-2")) == 0
        tasks = service.get_case(s, BOSS, case_id)["tasks"]
        assert (tasks[0]["title"], tasks[0]["overdue"]) == ("Call the defender", True)
        assert tasks[0]["assignee"] == "caseworker-1"
        assert not any(t["overdue"] for t in tasks[1:])
        service.complete_task(s, world.actor("caseworker-1"), case_id, late.id)
        with pytest.raises(InvalidValue, match="already done"):
            service.complete_task(s, BOSS, case_id, late.id)
        with pytest.raises(NotFound, match="no task 999"):
            service.complete_task(s, BOSS, case_id, 999)
        done = [t for t in service.get_case(s, BOSS, case_id)["tasks"] if t["done"]]
    assert done[0]["done_by"] == "caseworker-1" and not done[0]["overdue"]


def test_links_reach_only_the_case_defenders_material(world: World) -> None:
    analyze_defender(world.ws, world.defender_a, names=["links"], workers=1)
    case_id = _new(world)
    with world.ws.session() as s:
        finding = s.execute(select(FindingRow.id).join(Message).where(
            Message.defender_id == world.defender_a)).scalars().first()
        evidence = s.get_one(Message, world.messages_a[0]).evidence_item_id
        assert finding is not None
        service.link(s, BOSS, case_id, "finding", finding)
        service.link(s, BOSS, case_id, "message", world.messages_a[1])
        service.link(s, BOSS, case_id, "evidence", evidence)
        service.link(s, BOSS, case_id, "message", world.messages_a[1])  # twice: one link
        with pytest.raises(InvalidValue, match="belongs to another defender"):
            service.link(s, BOSS, case_id, "message", world.messages_b[0])
        with pytest.raises(NotFound, match="no finding 999"):
            service.link(s, BOSS, case_id, "finding", 999)
        with pytest.raises(InvalidValue, match="unknown link kind 'post'"):
            service.link(s, BOSS, case_id, "post", 1)
        service.unlink(s, BOSS, case_id, "evidence", evidence)
        with pytest.raises(NotFound, match="has no link to evidence"):
            service.unlink(s, BOSS, case_id, "evidence", evidence)
        got = service.get_case(s, BOSS, case_id)
    assert [(x["kind"], x["id"]) for x in got["links"]] == [
        ("finding", finding), ("message", world.messages_a[1])]
    assert [a["action"] for a in got["activity"]] == ["create", "link", "link", "link",
                                                      "unlink"]


def test_every_view_and_change_is_in_the_custody_log(world: World) -> None:
    worker = world.actor("caseworker-1")
    case_id = _new(world, assignees=("caseworker-1",))
    with world.ws.session() as s:
        service.add_note(s, worker, case_id, "a private remark about the defender")
        service.list_cases(s, worker)
        service.get_case(s, worker, case_id)
    world.ws.after_commit()
    with world.ws.session() as s:
        entries = [e for e in custody.list_entries(s) if e["object_type"] == "case"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("case.create", "tester"), ("case.note", "caseworker-1"),
        ("case.list", "caseworker-1"), ("case.view", "caseworker-1")]
    assert all("private remark" not in e["details"] for e in entries)
    assert verify_workspace(world.ws).ok


def test_a_failed_change_leaves_the_case_as_it_was(world: World) -> None:
    case_id = _new(world)
    with pytest.raises(InvalidValue), world.ws.session() as s:
        service.add_note(s, BOSS, case_id, "kept?")
        service.link(s, BOSS, case_id, "message", world.messages_b[0])
    with world.ws.session() as s:
        got = service.get_case(s, BOSS, case_id)
        assert got["notes"] == [] and [a["action"] for a in got["activity"]] == ["create"]


def test_lists_filter_and_aggregates_count_without_content(world: World) -> None:
    first = _new(world, assignees=("caseworker-1",))
    _new(world, assignees=("caseworker-2",))
    with world.ws.session() as s:
        service.transition(s, BOSS, first, "triage", "")
        mine = service.list_cases(s, world.actor("caseworker-1"))
        triage = service.list_cases(s, BOSS, status="triage")
        assert service.list_cases(s, world.actor("analyst-1")) == []
        counts = service.counts_by_status(s)
        assert s.get_one(Case, first).status == "triage"
    assert [c["id"] for c in mine] == [first] and mine[0]["defender"] == "Defensora A"
    assert [c["id"] for c in triage] == [first]
    assert counts == {"new": 1, "triage": 1, "active": 0, "referred": 0, "closed": 0}
