"""`amparo verify`: check the database, re-hash every original and walk the custody chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import inspect, select

from amparo.store import anchors
from amparo.store.tables import AuditEvent, Base, EvidenceItem
from amparo.store.vault import Recovery
from amparo.store.workspace import Workspace, WorkspaceError


@dataclass
class VerifyReport:
    blobs_checked: int = 0
    entries_checked: int = 0
    checkpoints: int = 0
    recovered: Recovery = field(default_factory=Recovery)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "blobs": self.blobs_checked, "entries": self.entries_checked,
                "checkpoints": self.checkpoints, "recovered": self.recovered.to_dict(),
                "problems": self.problems}


def check_database(ws: Workspace) -> None:
    """Raise WorkspaceError, naming the database, if its structure is damaged: a table or
    column gone, or (SQLite) a page that fails SQLite's own integrity check. Runs before
    anything acts on what the database says."""
    with ws.database_errors(), ws.engine.connect() as conn:
        found = inspect(conn)
        present = set(found.get_table_names())
        missing = [t for t in Base.metadata.tables if t not in present]
        if missing:
            raise WorkspaceError(f"the database {ws.database_label} is damaged: table "
                                 f"{', '.join(missing)} is missing")
        for name, table in Base.metadata.tables.items():
            columns = {c["name"] for c in found.get_columns(name)}
            lost = [c.name for c in table.columns if c.name not in columns]
            if lost:
                raise WorkspaceError(f"the database {ws.database_label} is damaged: table "
                                     f"{name} has lost column {', '.join(lost)}")
        if conn.dialect.name == "sqlite":
            faults = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if faults != ["ok"]:
                raise WorkspaceError(f"the database {ws.database_label} is damaged: SQLite's "
                                     f"integrity check failed ({_first_fault(faults)})")


def _first_fault(faults: list[str]) -> str:
    """SQLite's first finding on one line (it may span lines, after a '*** in database' one),
    with how many more there are."""
    lines = [x.strip() for f in faults for x in f.splitlines()
             if x.strip() and not x.startswith("***")]
    more = f"; and {len(lines) - 1} more" if len(lines) > 1 else ""
    return (lines[0] if lines else "no detail") + more


def verify_workspace(ws: Workspace, copies: Sequence[anchors.Anchor] = ()) -> VerifyReport:
    """Check everything; `copies` (of the head, or exported logs, kept elsewhere) also catch a
    log rolled back to an earlier state."""
    report = VerifyReport()
    with ws.database_errors():
        check_database(ws)
        _verify(ws, report, copies)
    return report


def _verify(ws: Workspace, report: VerifyReport, copies: Sequence[anchors.Anchor]) -> None:
    with ws.write_lock() as recovered:
        report.recovered = recovered
        with ws.session() as s:
            walk = anchors.verify_chain(s, ws.head_file, ws.custody_key)
            report.problems.extend(str(p) for p in walk.problems)
            for copy in copies:
                report.problems.extend(str(p) for p in anchors.anchor_problems(s, copy))
            report.entries_checked, report.checkpoints = walk.entries, walk.checkpoints
            acquired: dict[str, str] = {}
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.action == "evidence.acquire")
            ).scalars():
                try:
                    acquired[e.object_id] = str(json.loads(e.details)["sha256"])
                except (ValueError, KeyError, TypeError):
                    report.problems.append(f"custody entry {e.seq}: details are unreadable")
            items = list(s.execute(select(EvidenceItem).order_by(EvidenceItem.id)).scalars())
        known = set()
        for item in items:
            known.add(item.sha256)
            label = f"evidence item {item.id} ({item.original_name}, sha256 {item.sha256})"
            if acquired.get(str(item.id)) != item.sha256:
                report.problems.append(
                    f"{label}: its hash differs from the one recorded when it was acquired"
                )
            problem = ws.vault.check(item.sha256)
            report.blobs_checked += 1
            if problem:
                report.problems.append(f"{label}: {problem}")
        for sha in sorted(set(ws.vault.list_blobs()) - known):
            report.problems.append(f"vault blob {sha}: not recorded as any evidence item "
                                   "(kept: it may be evidence whose database rows were lost)")
