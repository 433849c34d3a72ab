"""`amparo verify`: re-hash every original and walk the custody chain."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from amparo.store import custody
from amparo.store.tables import AuditEvent, EvidenceItem
from amparo.store.workspace import Workspace


@dataclass
class VerifyReport:
    blobs_checked: int = 0
    entries_checked: int = 0
    recovered: tuple[int, int] = (0, 0)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_workspace(ws: Workspace) -> VerifyReport:
    report = VerifyReport()
    with ws.write_lock():
        # write_lock() already finished any interrupted import; say so if it did.
        report.recovered = ws.recover()
        with ws.session() as s:
            chain = custody.verify_chain(s, ws.head_file)
            report.problems.extend(str(p) for p in chain)
            report.entries_checked = s.scalar(select(AuditEvent.seq).order_by(
                AuditEvent.seq.desc()).limit(1)) or 0
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
            report.problems.append(f"vault blob {sha}: not recorded as any evidence item")
    return report
