"""One message as a caseworker reads it: in its conversation (a few messages before and
after), with the original it was read from (name, SHA-256, custody history) and its findings.
The web page and the API call this; need-to-know is the caller's `visible` set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from amparo import triage
from amparo.errors import NotFound
from amparo.store import custody
from amparo.store.identities import account_label
from amparo.store.tables import Account, AuditEvent, Conversation, EvidenceItem, Message


@dataclass(frozen=True)
class Line:
    id: int
    author: str | None
    ts_utc: datetime | None
    text: str


@dataclass(frozen=True)
class MessageView:
    message: Line
    defender_id: int
    platform: str
    language: str | None
    conversation: str | None
    before: list[Line]
    after: list[Line]
    evidence: EvidenceItem
    custody: list[dict[str, Any]]
    findings: list[triage.InboxRow]


def _lines(s: Session, q: Any) -> list[Line]:
    return [Line(mid, None if key is None else account_label(handle, names, key), ts, text)
            for mid, handle, names, key, ts, text in s.execute(q)]


def message_view(s: Session, message_id: int, *, visible: set[int] | None = None,
                 around: int = 3) -> MessageView:
    m = s.get(Message, message_id)
    if m is None or (visible is not None and m.defender_id not in visible):
        raise NotFound(f"no message with id {message_id}")  # the same answer for both
    cols = select(Message.id, Account.handle, Account.display_names, Account.key,
                  Message.ts_utc, Message.text) \
        .outerjoin(Account, Account.id == Message.author_id)
    me = _lines(s, cols.where(Message.id == m.id))[0]
    before: list[Line] = []
    after: list[Line] = []
    title = None
    if m.conversation_id is not None:
        conv = s.get(Conversation, m.conversation_id)
        title = conv.title or conv.key if conv else None
        same = cols.where(Message.conversation_id == m.conversation_id)
        if m.ts_utc is not None:  # ordered by time, ties by id
            earlier = or_(Message.ts_utc < m.ts_utc,
                          and_(Message.ts_utc == m.ts_utc, Message.id < m.id))
            later = or_(Message.ts_utc > m.ts_utc,
                        and_(Message.ts_utc == m.ts_utc, Message.id > m.id))
            before = _lines(s, same.where(earlier)
                            .order_by(Message.ts_utc.desc(), Message.id.desc()).limit(around))
            after = _lines(s, same.where(later)
                           .order_by(Message.ts_utc, Message.id).limit(around))
        else:  # no time: the order they were read in
            before = _lines(s, same.where(Message.id < m.id)
                            .order_by(Message.id.desc()).limit(around))
            after = _lines(s, same.where(Message.id > m.id).order_by(Message.id).limit(around))
        before.reverse()
    item = s.get(EvidenceItem, m.evidence_item_id)
    assert item is not None  # a foreign key
    log = s.execute(select(AuditEvent).where(AuditEvent.object_type == "evidence",
                                             AuditEvent.object_id == str(item.id))
                    .order_by(AuditEvent.seq)).scalars()
    found = triage.inbox(s, triage.InboxFilter(message_id=m.id), visible=visible,
                         per_page=200).rows
    s.expunge(item)
    return MessageView(me, m.defender_id, m.platform, m.language, title, before, after, item,
                       [custody.entry_dict(e) for e in log], found)


def original_of(s: Session, message_id: int, *, visible: set[int] | None = None
                ) -> EvidenceItem:
    """The evidence item a message was read from (for downloading the original)."""
    m = s.get(Message, message_id)
    if m is None or (visible is not None and m.defender_id not in visible):
        raise NotFound(f"no message with id {message_id}")
    item = s.get(EvidenceItem, m.evidence_item_id)
    assert item is not None
    s.expunge(item)
    return item
