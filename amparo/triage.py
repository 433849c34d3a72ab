"""Findings triage: a caseworker confirms, dismisses or escalates a finding, with a reason.
The CLI (`amparo findings triage`, `findings list --status`), the inbox page and the API all
call these functions.

A decision is keyed by what the finding is (message, detector, label, spans) rather than by
the findings row: re-analysis deletes and re-inserts the rows of a message, and a finding
that reappears identical must keep its decision. Each change is one transaction with its
history row and its custody-log entry."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from amparo.detect.base import Severity
from amparo.errors import InvalidValue, NotFound
from amparo.store import custody
from amparo.store.identities import account_label
from amparo.store.tables import (
    Account,
    Defender,
    FindingRow,
    FindingTriage,
    FindingTriageEvent,
    Message,
)

_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])
NEW = "new"
STATUSES = (NEW, "confirmed", "dismissed", "escalated")
DECISIONS = STATUSES[1:]
ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}
MAX_REASON = 2000


def parse_status(value: str, *, allow_new: bool = True) -> str:
    value = value.strip().lower()
    value = ACTIONS.get(value, value)
    allowed = STATUSES if allow_new else DECISIONS
    if value not in allowed:
        raise InvalidValue(f"unknown triage status {value!r}; one of {', '.join(allowed)}")
    return value


def triage_key(message_id: int, detector: str, label: str, spans: str) -> str:
    identity = json.dumps([message_id, detector, label, spans], ensure_ascii=False)
    return hashlib.sha256(identity.encode()).hexdigest()


def with_decisions(q: _Q) -> _Q:
    """The query with each finding's decision (if any) attached."""
    return q.outerjoin(FindingTriage, and_(
        FindingTriage.message_id == FindingRow.message_id,
        FindingTriage.detector == FindingRow.detector,
        FindingTriage.label == FindingRow.label,
        FindingTriage.spans == FindingRow.spans))


def status_of(column: str | None) -> str:
    return column or NEW


def status_clause(status: str) -> Any:
    return FindingTriage.id.is_(None) if status == NEW else FindingTriage.status == status


@dataclass(frozen=True)
class Change:
    finding_id: int
    from_status: str
    to_status: str
    reason: str
    actor: str
    at: datetime


def triage(s: Session, finding_ids: Sequence[int], status: str, reason: str, *,
           actor: str, visible: set[int] | None = None) -> list[Change]:
    """Record a decision on each finding, all in the caller's transaction: an unknown id,
    or one of a defender outside `visible` (None: all), raises NotFound and nothing is kept.
    Deciding again what was already decided with the same reason records nothing."""
    to_status = parse_status(status, allow_new=False)
    reason = reason.strip()
    if not reason:
        raise InvalidValue("a triage decision needs a reason (--reason)")
    if len(reason) > MAX_REASON:
        raise InvalidValue(f"the reason is longer than {MAX_REASON} characters")
    ids = list(dict.fromkeys(int(i) for i in finding_ids))
    if not ids:
        raise InvalidValue("no finding given")
    q = (select(FindingRow).join(Message, Message.id == FindingRow.message_id)
         .where(FindingRow.id.in_(ids)))
    if visible is not None:
        q = q.where(Message.defender_id.in_(sorted(visible)))
    rows = {f.id: f for f in s.execute(q).scalars()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(f"no finding with id {', '.join(map(str, missing))}")
    now = datetime.now(UTC)
    changes = []
    for fid in ids:
        f = rows[fid]
        key = triage_key(f.message_id, f.detector, f.label, f.spans)
        t = s.execute(select(FindingTriage).where(FindingTriage.key == key)).scalar()
        before = status_of(t.status if t else None)
        if t is not None and t.status == to_status and t.reason == reason:
            continue
        if t is None:
            t = FindingTriage(key=key, message_id=f.message_id, detector=f.detector,
                              label=f.label, spans=f.spans)
            s.add(t)
        t.status, t.reason, t.actor, t.at = to_status, reason, actor, now
        s.flush()
        s.add(FindingTriageEvent(triage_id=t.id, finding_id=fid, from_status=before,
                                 to_status=to_status, reason=reason, actor=actor, at=now))
        custody.append(s, actor=actor, action="finding.triage", object_type="finding",
                       object_id=str(fid), reason=reason,
                       details={"from": before, "to": to_status, "message": f.message_id,
                                "label": f.label, "key": key})
        changes.append(Change(fid, before, to_status, reason, actor, now))
    return changes


def history(s: Session, finding_id: int) -> list[Change]:
    """The triage changes of this finding (and of the same finding before re-analysis)."""
    f = s.get(FindingRow, finding_id)
    if f is None:
        raise NotFound(f"no finding with id {finding_id}")
    key = triage_key(f.message_id, f.detector, f.label, f.spans)
    q = (select(FindingTriageEvent).join(FindingTriage,
                                         FindingTriage.id == FindingTriageEvent.triage_id)
         .where(FindingTriage.key == key).order_by(FindingTriageEvent.id))
    return [Change(e.finding_id, e.from_status, e.to_status, e.reason, e.actor, e.at)
            for e in s.execute(q).scalars()]


@dataclass(frozen=True)
class InboxFilter:
    severity: Severity | None = None  # at least this severe
    label: str | None = None  # a label or a family (threat, doxing...)
    platform: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    defender_id: int | None = None
    status: str | None = None  # None: any
    finding_id: int | None = None  # just this one
    message_id: int | None = None  # the findings of one message


@dataclass(frozen=True)
class InboxRow:
    id: int
    message_id: int
    defender_id: int
    defender: str
    severity: str
    label: str
    detector: str
    score: float
    spans: list[tuple[int, int, str]]
    explanation: str
    text: str
    author: str | None
    platform: str
    language: str | None
    ts_utc: datetime | None
    status: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "message_id": self.message_id, "defender_id": self.defender_id,
            "defender": self.defender, "severity": self.severity, "label": self.label,
            "detector": self.detector, "score": self.score,
            "spans": [{"start": a, "end": b, "text": t} for a, b, t in self.spans],
            "explanation": self.explanation, "text": self.text, "author": self.author,
            "platform": self.platform, "language": self.language,
            "timestamp_utc": self.ts_utc.isoformat() if self.ts_utc else None,
            "status": self.status, "reason": self.reason, "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _where(q: _Q, flt: InboxFilter, visible: set[int] | None) -> _Q:
    if visible is not None:
        q = q.where(Message.defender_id.in_(sorted(visible)))
    if flt.severity is not None:
        q = q.where(FindingRow.severity >= int(flt.severity))
    if flt.label:
        q = q.where(or_(FindingRow.label == flt.label,
                        FindingRow.label.startswith(flt.label + ".")))
    if flt.platform:
        q = q.where(Message.platform == flt.platform)
    if flt.language:
        q = q.where(Message.language == flt.language)
    if flt.since:
        q = q.where(Message.ts_utc >= datetime.combine(flt.since, time(), UTC))
    if flt.until:
        q = q.where(Message.ts_utc < datetime.combine(flt.until + timedelta(days=1), time(),
                                                      UTC))
    if flt.defender_id is not None:
        q = q.where(Message.defender_id == flt.defender_id)
    if flt.status:
        q = q.where(status_clause(flt.status))
    if flt.finding_id is not None:
        q = q.where(FindingRow.id == flt.finding_id)
    if flt.message_id is not None:
        q = q.where(FindingRow.message_id == flt.message_id)
    return q


def inbox(s: Session, flt: InboxFilter, *, visible: set[int] | None = None, page: int = 1,
          per_page: int = 50) -> InboxPage:
    """Findings matching the filter, most severe first (critical on top), then newest.
    `visible`: the defenders the reader may see (None: all; see web.visibility)."""
    page = max(1, page)
    base = with_decisions(select(FindingRow.id).join(Message, Message.id == FindingRow.message_id))
    total = s.execute(select(func.count()).select_from(
        _where(base, flt, visible).subquery())).scalar_one()
    q = with_decisions(
        select(FindingRow, Message.text, Message.ts_utc, Message.defender_id,
               Message.platform, Message.language, Defender.pseudonym, Account.handle,
               Account.display_names, Account.key, FindingTriage.status, FindingTriage.reason,
               FindingTriage.actor, FindingTriage.at)
        .join(Message, Message.id == FindingRow.message_id)
        .join(Defender, Defender.id == Message.defender_id)
        .outerjoin(Account, Account.id == Message.author_id))
    q = (_where(q, flt, visible)
         .order_by(FindingRow.severity.desc(), Message.ts_utc.desc().nulls_last(),
                   FindingRow.id.desc())
         .limit(per_page).offset((page - 1) * per_page))
    rows = [
        InboxRow(
            id=f.id, message_id=f.message_id, defender_id=did, defender=pseudonym,
            severity=str(Severity(f.severity)), label=f.label, detector=f.detector,
            score=f.score, spans=[(a, b, t) for a, b, t in json.loads(f.spans)],
            explanation=f.explanation, text=text,
            author=None if akey is None else account_label(handle, names, akey),
            platform=platform,
            language=language, ts_utc=ts, status=status_of(st), reason=reason,
            decided_by=actor, decided_at=at)
        for (f, text, ts, did, platform, language, pseudonym, handle, names, akey, st, reason,
             actor, at) in s.execute(q).all()
    ]
    return InboxPage(rows, total, page, per_page)


def choices(s: Session, visible: set[int] | None = None) -> dict[str, list[Any]]:
    """What the filter menus offer: defenders, platforms, languages present."""
    defs = select(Defender.id, Defender.pseudonym).order_by(Defender.pseudonym)
    plats = select(Message.platform).distinct().order_by(Message.platform)
    langs = (select(Message.language).where(Message.language.is_not(None)).distinct()
             .order_by(Message.language))
    if visible is not None:
        defs = defs.where(Defender.id.in_(sorted(visible)))
        plats = plats.where(Message.defender_id.in_(sorted(visible)))
        langs = langs.where(Message.defender_id.in_(sorted(visible)))
    return {"defenders": [tuple(r) for r in s.execute(defs).all()],
            "platforms": list(s.execute(plats).scalars()),
            "languages": list(s.execute(langs).scalars())}


def excerpt(text: str, spans: Sequence[tuple[int, int, str]], width: int = 120
            ) -> list[tuple[str, bool]]:
    """The part of `text` around the matched spans, as (piece, is_match) pieces, so a
    template can mark the matches while escaping everything. Runs of white space become
    one space: a row shows a compact excerpt, the message page the text as written."""
    return [(_SPACES.sub(" ", piece), marked) for piece, marked in _pieces(text, spans, width)]


_SPACES = re.compile(r"\s+")


def _pieces(text: str, spans: Sequence[tuple[int, int, str]], width: int
            ) -> list[tuple[str, bool]]:
    good = sorted((a, b) for a, b, _t in spans if 0 <= a < b <= len(text))
    if not good:
        cut = text[:width * 2]
        return [(cut + ("…" if len(cut) < len(text) else ""), False)]
    first, last = good[0][0], max(b for _a, b in good)
    start = max(0, first - width)
    end = min(len(text), last + width)
    if start > 0:  # cut at a word boundary, not inside a word
        gap = _SPACES.search(text, start, first)
        start = gap.end() if gap else start
    if end < len(text):
        gaps = [m.start() for m in _SPACES.finditer(text, last, end)]
        end = gaps[-1] if gaps else end
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    pos = start
    for a, b in good:
        a = max(a, pos)
        if a >= b:
            continue
        if a > pos:
            pieces.append((text[pos:a], False))
        pieces.append((text[a:b], True))
        pos = b
    if pos < end:
        pieces.append((text[pos:end], False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


FILTER_FIELDS = ("severity", "label", "platform", "language", "since", "until", "defender",
                 "status")


def parse_filter(values: Mapping[str, str | None]) -> InboxFilter:
    """The filter from text fields (a GET form, API query parameters); empty means any.
    A bad value raises InvalidValue naming the field."""
    v = {k: (values.get(k) or "").strip() for k in FILTER_FIELDS}

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(v[name]) if v[name] else None
        except ValueError:
            raise InvalidValue(f"{name}: not a date (YYYY-MM-DD): {v[name]!r}") from None

    if v["defender"] and not v["defender"].isdigit():
        raise InvalidValue(f"defender: not a defender id: {v['defender']!r}")
    if v["label"] and not all(part.replace("_", "").isalnum() for part in v["label"].split(".")):
        raise InvalidValue(f"label: not a label or a family: {v['label']!r}")
    return InboxFilter(
        severity=Severity.parse(v["severity"]) if v["severity"] else None,
        label=v["label"] or None, platform=v["platform"] or None,
        language=v["language"] or None, since=day("since"), until=day("until"),
        defender_id=int(v["defender"]) if v["defender"] else None,
        status=parse_status(v["status"]) if v["status"] else None)


def highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[str, bool]]:
    """The whole text as written, as (piece, is_match) pieces."""
    return _pieces(text, spans, len(text) + 1)
