"""Evidence items: listing and deletion. Deleting is rare and always needs a reason: it removes
the original from the vault and its messages, and leaves a custody entry saying who, when and
why (the acquisition entry stays, so the log still shows the item once existed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from amparo.errors import InvalidValue, NotFound
from amparo.store import custody
from amparo.store.tables import (
    CampaignMessage,
    EvidenceItem,
    FindingRow,
    FindingTriage,
    FindingTriageEvent,
    Message,
)
from amparo.store.workspace import Workspace


def list_evidence(ws: Workspace, defender_id: int | None = None) -> list[dict[str, Any]]:
    with ws.session() as s:
        q = (
            select(EvidenceItem, func.count(Message.id))
            .outerjoin(Message, Message.evidence_item_id == EvidenceItem.id)
            .group_by(EvidenceItem.id)
            .order_by(EvidenceItem.id)
        )
        if defender_id is not None:
            q = q.where(EvidenceItem.defender_id == defender_id)
        return [
            {"id": e.id, "defender_id": e.defender_id, "name": e.original_name,
             "format": e.format, "sha256": e.sha256, "size": e.size,
             "acquired_at": e.acquired_at.isoformat(), "acquired_by": e.acquired_by,
             "messages": n}
            for e, n in s.execute(q).all()
        ]


def delete_messages_of(s: Session, item_ids: Sequence[int]) -> dict[str, int]:
    """Delete the messages read from these evidence items, with the findings and campaign
    links that point at them (analysis must then be run again); the counts deleted."""
    doomed = select(Message.id).where(Message.evidence_item_id.in_(item_ids))

    def count(table: Any, column: Any) -> int:
        return int(s.scalar(select(func.count()).select_from(table)
                            .where(column.in_(doomed))) or 0)

    counts = {"messages": count(Message, Message.id),
              "findings": count(FindingRow, FindingRow.message_id),
              "campaign_links": count(CampaignMessage, CampaignMessage.message_id)}
    s.execute(delete(FindingRow).where(FindingRow.message_id.in_(doomed)))
    # Triage decisions on these messages go too (their custody entries stay): a new message
    # may later take a freed id, and must not inherit a decision made on another text.
    decided = select(FindingTriage.id).where(FindingTriage.message_id.in_(doomed))
    s.execute(delete(FindingTriageEvent).where(FindingTriageEvent.triage_id.in_(decided)))
    s.execute(delete(FindingTriage).where(FindingTriage.message_id.in_(doomed)))
    s.execute(delete(CampaignMessage).where(CampaignMessage.message_id.in_(doomed)))
    s.execute(delete(Message).where(Message.evidence_item_id.in_(item_ids)))
    return counts


def delete_evidence(ws: Workspace, item_id: int, *, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InvalidValue("deleting evidence needs a --reason for the custody log")
    with ws.write_lock():
        with ws.session() as s:
            item = s.get(EvidenceItem, item_id)
            if item is None:
                raise NotFound(f"no evidence item {item_id}")
            removed = delete_messages_of(s, [item_id])
            sha = item.sha256
            details = {"sha256": sha, "name": item.original_name,
                       "messages": removed["messages"]}
            s.delete(item)
            s.flush()
            shared = s.scalar(select(func.count()).select_from(EvidenceItem)
                              .where(EvidenceItem.sha256 == sha))
            custody.append(s, actor=ws.settings.actor, action="evidence.delete",
                           object_type="evidence", object_id=str(item_id), reason=reason,
                           details=details)
        # After the commit; a crash before this line is finished by the next recover().
        if not shared:
            ws.vault.remove(sha)
        ws.after_commit()
    return details
