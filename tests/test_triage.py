"""Findings triage (amparo/triage.py) on SQLite and PostgreSQL: decisions, reasons, history,
the custody log, all-or-nothing bulk changes, and decisions surviving re-analysis."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from amparo import triage
from amparo.detect.base import Severity
from amparo.errors import InvalidValue, NotFound
from amparo.store import custody
from amparo.store.analysis import analyze_defender, list_findings
from amparo.store.tables import FindingRow, FindingTriageEvent
from amparo.store.workspace import Workspace
from tests.inbox_data import DETECTORS, finding_ids, seed_inbox


def _decide(ws: Workspace, ids: list[int], status: str, reason: str,
            actor: str = "rui") -> list[triage.Change]:
    with ws.session() as s:
        return triage.triage(s, ids, status, reason, actor=actor)


def test_status_changes_keep_reason_who_when_and_history(ws: Workspace,
                                                         defender_id: int) -> None:
    ids = seed_inbox(ws, defender_id)
    death = ids["threat.death"]
    [first] = _decide(ws, [death], "escalate", "death threat with her address")
    assert (first.from_status, first.to_status) == ("new", "escalated")
    _decide(ws, [death], "confirmed", "coordinator agreed", actor="marta")
    with ws.session() as s:
        steps = [(c.from_status, c.to_status, c.reason, c.actor)
                 for c in triage.history(s, death)]
        row = next(r for r in triage.inbox(s, triage.InboxFilter()).rows if r.id == death)
        log = [e for e in custody.list_entries(s) if e["action"] == "finding.triage"]
    assert steps == [("new", "escalated", "death threat with her address", "rui"),
                     ("escalated", "confirmed", "coordinator agreed", "marta")]
    assert (row.status, row.reason, row.decided_by) == ("confirmed", "coordinator agreed",
                                                        "marta")
    assert row.decided_at is not None
    assert [(e["object_id"], e["actor"], e["reason"]) for e in log] == [
        (str(death), "rui", "death threat with her address"),
        (str(death), "marta", "coordinator agreed")]


def test_a_decision_needs_a_reason_and_a_known_status(ws: Workspace, defender_id: int) -> None:
    ids = seed_inbox(ws, defender_id)
    with pytest.raises(InvalidValue, match="reason"):
        _decide(ws, [ids["doxing.phone"]], "dismissed", "   ")
    with pytest.raises(InvalidValue, match="status"):
        _decide(ws, [ids["doxing.phone"]], "new", "back to new")
    with ws.session() as s:
        assert triage.history(s, ids["doxing.phone"]) == []


def test_bulk_change_with_an_unknown_id_records_nothing(ws: Workspace, defender_id: int) -> None:
    ids = seed_inbox(ws, defender_id)
    with pytest.raises(NotFound, match="99999"):
        _decide(ws, [ids["doxing.phone"], 99999], "dismissed", "bulk")
    with ws.session() as s:
        assert s.query(FindingTriageEvent).count() == 0
        assert not [e for e in custody.list_entries(s) if e["action"] == "finding.triage"]
    changes = _decide(ws, [ids["doxing.phone"], ids["link.lookalike"]], "dismissed", "spam")
    assert len(changes) == 2
    # The same decision with the same reason again records nothing new.
    assert _decide(ws, [ids["doxing.phone"]], "dismissed", "spam") == []


def test_decisions_survive_re_analysis(ws: Workspace, defender_id: int) -> None:
    """Re-analysis replaces the findings rows; a finding that reappears identical keeps its
    decision, its reason and its history."""
    ids = seed_inbox(ws, defender_id)
    _decide(ws, [ids["threat.death"]], "confirmed", "real threat")
    _decide(ws, [ids["doxing.phone"]], "dismissed", "the helpline's public number")
    run = analyze_defender(ws, defender_id, names=DETECTORS, workers=1)
    new_ids = finding_ids(ws)
    with ws.session() as s:  # the rows were replaced by the new run's
        assert set(s.execute(select(FindingRow.run_id)).scalars()) == {run.id}
    with ws.session() as s:
        by_label = {r["label"]: r["status"] for r in list_findings(s)}
        hist = triage.history(s, new_ids["threat.death"])
        dismissed = list_findings(s, status="dismissed")
        new = list_findings(s, status="new")
    assert by_label["threat.death"] == "confirmed"
    assert by_label["doxing.phone"] == "dismissed"
    assert by_label["link.lookalike"] == "new"
    assert [(c.to_status, c.reason) for c in hist] == [("confirmed", "real threat")]
    assert [r["label"] for r in dismissed] == ["doxing.phone"]
    assert "threat.death" not in {r["label"] for r in new}


def test_inbox_filters_and_order(ws: Workspace, defender_id: int) -> None:
    ids = seed_inbox(ws, defender_id)
    with ws.session() as s:
        everything = triage.inbox(s, triage.InboxFilter())
        severities = [r.severity for r in everything.rows]
        assert severities[:2] == ["critical", "critical"]
        order = [int(Severity.parse(x)) for x in severities]
        assert order == sorted(order, reverse=True)
        assert everything.total == 5
        doxing = triage.inbox(s, triage.InboxFilter(label="doxing"))
        assert {r.label for r in doxing.rows} == {"doxing.address", "doxing.phone"}
        high = triage.inbox(s, triage.InboxFilter(severity=Severity.HIGH))
        assert "doxing.phone" not in {r.label for r in high.rows}
        day = triage.inbox(s, triage.InboxFilter(since=date(2026, 11, 30),
                                                 until=date(2026, 11, 30)))
        assert [r.label for r in day.rows] == ["doxing.phone"]
        assert day.rows[0].author == "@patriota_1964"
        assert triage.inbox(s, triage.InboxFilter(defender_id=defender_id + 1)).total == 0
        assert triage.inbox(s, triage.InboxFilter(), visible=set()).total == 0
        paged = triage.inbox(s, triage.InboxFilter(), page=2, per_page=2)
        assert [r.id for r in paged.rows] == [r.id for r in everything.rows[2:4]]
        assert paged.pages == 3
    _decide(ws, [ids["threat.death"]], "escalated", "urgent")
    with ws.session() as s:
        assert [r.label for r in triage.inbox(s, triage.InboxFilter(status="escalated")).rows
                ] == ["threat.death"]
        assert triage.inbox(s, triage.InboxFilter(status="new")).total == 4


def test_excerpt_marks_the_spans() -> None:
    text = "x" * 300 + "Vamos te matar" + "y" * 300
    pieces = triage.excerpt(text, [(300, 314, "Vamos te matar")], width=20)
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert ("Vamos te matar", True) in pieces
    assert triage.excerpt("short", []) == [("short", False)]


def test_deleting_evidence_with_decided_findings_removes_the_decisions(
    ws: Workspace, defender_id: int,
) -> None:
    """The decisions point at messages: deleting the evidence (or re-reading it) must not be
    blocked by them (PostgreSQL enforces the foreign key), nor leave them for a new message
    that might take a freed id. The custody log keeps the decisions."""
    from amparo.store.evidence import delete_evidence, list_evidence
    from amparo.store.tables import FindingTriage

    ids = seed_inbox(ws, defender_id)
    _decide(ws, [ids["threat.death"]], "confirmed", "real threat")
    [item] = list_evidence(ws, defender_id)
    delete_evidence(ws, item["id"], reason="the defender withdrew consent")
    with ws.session() as s:
        assert s.query(FindingTriage).count() == 0
        assert s.query(FindingTriageEvent).count() == 0
        log = [e["action"] for e in custody.list_entries(s)]
    assert "finding.triage" in log and "evidence.delete" in log
    seed_inbox(ws, defender_id)  # imported again: new messages, undecided
    with ws.session() as s:
        assert {r.status for r in triage.inbox(s, triage.InboxFilter()).rows} == {"new"}


def test_rereading_evidence_with_decided_findings_succeeds(ws: Workspace,
                                                           defender_id: int) -> None:
    from amparo.store.evidence import list_evidence
    from amparo.store.reread import reread_evidence

    ids = seed_inbox(ws, defender_id)
    _decide(ws, [ids["doxing.phone"]], "dismissed", "helpline number")
    [item] = list_evidence(ws, defender_id)
    report = reread_evidence(ws, item["id"], reason="check the reading")
    assert report.messages == 5 and report.removed["findings"] == 5
    with ws.session() as s:
        assert s.query(FindingRow).count() == 0  # analysis must be run again
