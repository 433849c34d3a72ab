"""Campaigns in the workspace: detect them over a defender's messages, store them with their
messages, and read them back with the findings on those messages."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, aliased

from amparo.campaigns.detect import Detection, detect_campaigns
from amparo.campaigns.engines import Engine
from amparo.campaigns.io import Inputs, write_messages
from amparo.campaigns.io import Message as PostMessage
from amparo.campaigns.model import Settings
from amparo.detect.base import Severity
from amparo.store.messages import user_message_pages
from amparo.store.tables import Account, CampaignMessage, CampaignRow, FindingRow, Message
from amparo.store.workspace import Workspace


def _stored_posts(s: Session, defender_id: int) -> Iterator[PostMessage]:
    """The defender's dated messages with a known author. Accounts are named by platform and
    key: the same name on WhatsApp and in a CSV is two people until shown otherwise, and a
    message without an author cannot be attributed to any account's behaviour."""
    author = aliased(Account)
    query = (select(Message.id, author.platform, author.key, Message.ts_utc, Message.text,
                    Message.reply_to, Message.forwarded_from)
             .join(author, Message.author_id == author.id)
             .where(Message.ts_utc.is_not(None)))
    for mid, platform, key, ts, text, reply_to, forwarded in user_message_pages(
            s, query, defender_id):
        yield PostMessage(str(mid), f"{platform}:{key}", ts.timestamp(), text, reply_to,
                          forwarded)


def detect_for_defender(
    ws: Workspace, defender_id: int, engine: Engine, settings: Settings | None = None,
    on_detected: Callable[[Detection, Inputs], None] | None = None,
) -> tuple[Detection, list[int]]:
    """Detect campaigns in the defender's messages and store them (replacing earlier ones).
    `on_detected` runs while the normalised inputs still exist (for network exports)."""
    settings = settings or Settings()
    work = Path(tempfile.mkdtemp(prefix="campaigns-", dir=ws.home))
    try:
        with ws.session() as s:
            inputs = write_messages(_stored_posts(s, defender_id), work)
        detection = detect_campaigns(inputs, engine, settings)
        if on_detected is not None:
            on_detected(detection, inputs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    manifest = {"engine": engine.name, "window_seconds": detection.window,
                "settings": settings.__dict__, "posts": inputs.rows,
                "signals": {k: len(v) for k, v in detection.edges.items()}}
    ids = []
    with ws.session() as s:
        old = select(CampaignRow.id).where(CampaignRow.defender_id == defender_id)
        s.execute(delete(CampaignMessage).where(CampaignMessage.campaign_id.in_(old)))
        s.execute(delete(CampaignRow).where(CampaignRow.defender_id == defender_id))
        for c in detection.campaigns:
            d = c.to_dict()
            row = CampaignRow(
                key=c.id, defender_id=defender_id, detected_at=datetime.now(UTC),
                actor=ws.settings.actor, score=c.score,
                start=datetime.fromtimestamp(c.start, UTC),
                end=datetime.fromtimestamp(c.end, UTC),
                accounts=json.dumps(c.accounts, ensure_ascii=False),
                objects=json.dumps(c.objects, ensure_ascii=False),
                signals=json.dumps(d["signals"], ensure_ascii=False),
                explanation=c.explanation, manifest=json.dumps(manifest, default=str))
            s.add(row)
            s.flush()
            if c.posts:
                s.execute(insert(CampaignMessage),
                          [{"campaign_id": row.id, "message_id": int(p)} for p in c.posts])
            ids.append(row.id)
    return detection, ids


def campaign_dict(row: CampaignRow) -> dict[str, Any]:
    return {
        "id": row.id, "key": row.key, "defender_id": row.defender_id, "score": row.score,
        "start": row.start.isoformat() if row.start else None,
        "end": row.end.isoformat() if row.end else None,
        "accounts": json.loads(row.accounts), "objects": json.loads(row.objects),
        "signals": json.loads(row.signals), "explanation": row.explanation,
        "detected_at": row.detected_at.isoformat(),
    }


def list_campaigns(s: Session, defender_id: int | None = None) -> list[dict[str, Any]]:
    q = select(CampaignRow).order_by(CampaignRow.score.desc(), CampaignRow.id)
    if defender_id is not None:
        q = q.where(CampaignRow.defender_id == defender_id)
    return [campaign_dict(r) for r in s.execute(q).scalars()]


def get_campaign(s: Session, campaign_id: int) -> dict[str, Any] | None:
    """A campaign with its messages and the findings raised on them."""
    row = s.get(CampaignRow, campaign_id)
    if row is None:
        return None
    out = campaign_dict(row)
    messages = s.execute(
        select(Message.id, Message.ts_utc, Message.text)
        .join(CampaignMessage, CampaignMessage.message_id == Message.id)
        .where(CampaignMessage.campaign_id == campaign_id).order_by(Message.ts_utc)
    ).all()
    findings = s.execute(
        select(FindingRow.message_id, FindingRow.label, FindingRow.severity)
        .join(CampaignMessage, CampaignMessage.message_id == FindingRow.message_id)
        .where(CampaignMessage.campaign_id == campaign_id)
    ).all()
    by_message: dict[int, list[dict[str, str]]] = {}
    for mid, label, severity in findings:
        by_message.setdefault(mid, []).append({"label": label,
                                               "severity": str(Severity(severity))})
    out["messages"] = [{"id": mid, "timestamp_utc": ts.isoformat() if ts else None,
                        "text": text, "findings": by_message.get(mid, [])}
                       for mid, ts, text in messages]
    return out
