"""What the workspace holds at a glance: the dashboard's figures (web page and API alike)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amparo.detect.base import Severity
from amparo.store.tables import Defender, FindingRow, ImportRun, Message


@dataclass(frozen=True)
class RecentImport:
    id: int
    defender: str
    actor: str
    finished_at: datetime
    files: int
    new_messages: int


@dataclass(frozen=True)
class Overview:
    defenders: int
    messages: int
    # (severity name, count), most severe first; every level is listed, zero or not.
    findings_by_severity: list[tuple[str, int]]
    recent_imports: list[RecentImport]

    def as_dict(self) -> dict[str, Any]:
        return {
            "defenders": self.defenders, "messages": self.messages,
            "findings_by_severity": dict(self.findings_by_severity),
            "recent_imports": [
                {"id": r.id, "defender": r.defender, "actor": r.actor,
                 "finished_at": r.finished_at.isoformat(), "files": r.files,
                 "new_messages": r.new_messages} for r in self.recent_imports],
        }


def _import_counts(report: str) -> tuple[int, int]:
    try:
        data = json.loads(report)
        files = data.get("files", [])
        return len(files), sum(int(f.get("new_messages", 0) or 0) for f in files)
    except (ValueError, TypeError, AttributeError):
        return 0, 0  # an unreadable report still lists the run, without figures


def overview(s: Session, *, recent: int = 5) -> Overview:
    defenders = s.execute(select(func.count()).select_from(Defender)).scalar_one()
    messages = s.execute(select(func.count()).select_from(Message)).scalar_one()
    counts = dict(s.execute(select(FindingRow.severity, func.count())
                            .group_by(FindingRow.severity)).all())
    by_severity = [(str(level), int(counts.get(int(level), 0)))
                   for level in sorted(Severity, reverse=True)]
    runs = s.execute(
        select(ImportRun, Defender.pseudonym).join(Defender, Defender.id == ImportRun.defender_id)
        .order_by(ImportRun.finished_at.desc(), ImportRun.id.desc()).limit(recent)
    ).all()
    recent_imports = []
    for run, pseudonym in runs:
        files, new = _import_counts(run.report)
        recent_imports.append(RecentImport(run.id, pseudonym, run.actor, run.finished_at,
                                           files, new))
    return Overview(int(defenders), int(messages), by_severity, recent_imports)
