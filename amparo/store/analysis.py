"""Analysing a defender's stored messages: run the pipeline, store findings and languages.

One run is one transaction. Findings a re-run replaces (same messages, same detectors) are
deleted in that transaction, so the stored findings always come from one known manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from amparo import pipeline
from amparo.detect.base import DetectorContext, Finding, Severity, TextItem, WatchItem
from amparo.errors import NotFound
from amparo.store import defenders
from amparo.store.messages import user_message_pages
from amparo.store.tables import (
    AnalysisRun,
    Defender,
    EvidenceItem,
    FindingRow,
    FindingTriage,
    Message,
)
from amparo.store.workspace import Workspace


def defender_context(ws: Workspace, d: Defender) -> DetectorContext:
    watch = tuple(WatchItem(e.kind, e.value) for e in defenders.read_watchlist(ws.key, d))
    return DetectorContext(
        country=d.country,
        languages=tuple(x for x in d.languages.split(",") if x),
        watchlist=watch,
        indicators_dir=str(ws.home / "indicators"),
    )


def _stored_texts(s: Session, defender_id: int) -> Iterator[TextItem]:
    for mid, text in user_message_pages(s, select(Message.id, Message.text), defender_id):
        yield TextItem(str(mid), text)


def finding_row(f: Finding, run_id: int) -> dict[str, Any]:
    return {
        "message_id": int(f.message_id), "run_id": run_id, "detector": f.detector,
        "detector_version": f.detector_version, "label": f.label, "severity": int(f.severity),
        "score": f.score, "spans": json.dumps([[x.start, x.end, x.text] for x in f.spans],
                                              ensure_ascii=False),
        "explanation": f.explanation,
    }


def analyze_defender(
    ws: Workspace,
    defender_id: int,
    *,
    names: Sequence[str] | None = None,
    workers: int | None = None,
    on_batch: Callable[[list[Finding], int], None] | None = None,
) -> AnalysisRun:
    names = pipeline.detector_names(names)
    with ws.session() as s:
        d = s.get(Defender, defender_id)
        if d is None:
            raise NotFound(f"no defender with id {defender_id}")
        context = defender_context(ws, d)
        shas = sorted(s.execute(select(EvidenceItem.sha256)
                                .where(EvidenceItem.defender_id == defender_id)).scalars())
        run = AnalysisRun(defender_id=defender_id, actor=ws.settings.actor,
                          started_at=datetime.now(UTC), finished_at=datetime.now(UTC),
                          messages=0, findings=0, manifest="{}", errors="[]")
        s.add(run)
        s.flush()
        replaced = select(Message.id).where(Message.defender_id == defender_id)
        s.execute(delete(FindingRow).where(FindingRow.message_id.in_(replaced),
                                           FindingRow.detector.in_(names)))

        def store(result: pipeline.BatchResult, n: int) -> None:
            if result.findings:
                s.execute(insert(FindingRow),
                          [finding_row(f, run.id) for f in result.findings])
            by_lang: dict[str | None, list[int]] = {}
            for mid, lang in result.languages.items():
                by_lang.setdefault(lang, []).append(int(mid))
            for lang, ids in by_lang.items():
                s.execute(update(Message).where(Message.id.in_(ids)).values(language=lang))
            if on_batch is not None:
                on_batch(result.findings, n)

        report = pipeline.run(_stored_texts(s, defender_id), names=names, context=context,
                              workers=workers, on_batch=store)
        run.finished_at = datetime.now(UTC)
        run.messages = report.messages
        run.findings = report.findings
        run.errors = json.dumps([e.to_dict() for e in report.errors], ensure_ascii=False)
        man = pipeline.manifest(names, context, {f"evidence:{sha}": sha for sha in shas},
                                report.detectors)
        man.update(started_at=run.started_at.isoformat(), finished_at=run.finished_at.isoformat(),
                   defender=defender_id, messages=report.messages, findings=report.findings)
        run.manifest = json.dumps(man, ensure_ascii=False)
        s.expunge(run)
    return run


def list_findings(
    s: Session,
    *,
    defender_id: int | None = None,
    label: str | None = None,
    min_severity: Severity = Severity.INFO,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Findings, most severe first, with the message they were found in and their triage
    status (see amparo/triage.py)."""
    from amparo import triage

    q = triage.with_decisions(
        select(FindingRow, Message.text, Message.ts_utc, Message.defender_id,
               FindingTriage.status)
        .join(Message, Message.id == FindingRow.message_id)
        .where(FindingRow.severity >= int(min_severity))
        .order_by(FindingRow.severity.desc(), FindingRow.score.desc(), FindingRow.id)
        .limit(limit)
    )
    if defender_id is not None:
        q = q.where(Message.defender_id == defender_id)
    if label:
        q = q.where((FindingRow.label == label) | FindingRow.label.startswith(label + "."))
    if status:
        q = q.where(triage.status_clause(triage.parse_status(status)))
    return [
        {
            "id": f.id, "message_id": f.message_id, "defender_id": did,
            "timestamp_utc": ts.isoformat() if ts else None, "detector": f.detector,
            "detector_version": f.detector_version, "label": f.label,
            "severity": str(Severity(f.severity)), "score": f.score,
            "spans": [{"start": a, "end": b, "text": t} for a, b, t in json.loads(f.spans)],
            "explanation": f.explanation, "text": text, "status": triage.status_of(st),
        }
        for f, text, ts, did, st in s.execute(q).all()
    ]
