"""The chain-of-custody log: every acquisition, view, export and deletion, append-only and
hash-chained, so anyone holding a copy of the workspace can check nothing was rewritten.

Entry n's hash is SHA-256 over a canonical JSON array of its fields exactly as stored, including
entry n-1's hash. Editing, removing or reordering any entry breaks the chain. Removing entries
from the end is caught by the head file `$AMPARO_HOME/custody.head`, rewritten after each commit
(and worth copying elsewhere, e.g. into each exported dossier, as an external anchor).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.store.tables import AuditEvent

GENESIS = "0" * 64
HEAD_FILE = "custody.head"


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    seq: int, at: str, actor: str, action: str, object_type: str, object_id: str,
    reason: str, details: str, prev_hash: str,
) -> str:
    fields = [seq, at, actor, action, object_type, object_id, reason, details, prev_hash]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(e: AuditEvent) -> str:
    return entry_hash(
        e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, e.reason, e.details,
        e.prev_hash,
    )


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an entry in the caller's transaction (it commits or rolls back with the work it
    records). The unique `prev_hash` makes a concurrent writer fail instead of forking the
    chain."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    text = canonical(details or {})
    event = AuditEvent(
        seq=seq, at=at, actor=actor, action=action, object_type=object_type,
        object_id=object_id, reason=reason, details=text, prev_hash=prev,
    )
    event.hash = _hash_of(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"custody entry {self.seq}" if self.seq is not None else "custody log"
        return f"{where}: {self.problem}"


def verify_chain(session: Session, head_file: Path | None = None) -> list[ChainProblem]:
    """Walk the whole log; return every break found (empty when intact)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    last_seq = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for e in rows:
        if e.seq != expected_seq:
            problems.append(ChainProblem(e.seq, f"expected entry {expected_seq} here: "
                                                "entries were removed or reordered"))
        if e.prev_hash != prev:
            problems.append(ChainProblem(e.seq, "does not link to the entry before it"))
        if _hash_of(e) != e.hash:
            problems.append(ChainProblem(e.seq, "content does not match its hash (altered)"))
        prev = e.hash
        expected_seq = e.seq + 1
        last_seq = e.seq
        session.expunge(e)
    if head_file is not None and head_file.exists():
        try:
            head = json.loads(head_file.read_text(encoding="utf-8"))
            head_seq, head_hash = int(head["seq"]), str(head["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(ChainProblem(None, f"{head_file.name} is unreadable"))
        else:
            if head_seq > last_seq:
                problems.append(ChainProblem(
                    None, f"the log ends at entry {last_seq} but {head_file.name} records "
                          f"entry {head_seq}: entries were removed from the end"))
            else:
                anchored = session.get(AuditEvent, head_seq)
                if anchored is None or anchored.hash != head_hash:
                    problems.append(ChainProblem(
                        head_seq, f"does not match the hash recorded in {head_file.name}"))
    return problems


def write_head(session: Session, head_file: Path) -> None:
    """Record the newest entry outside the database (call after commit)."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if last is None:
        return
    tmp = head_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"seq": last[0], "hash": last[1]}) + "\n", encoding="utf-8")
    tmp.replace(head_file)


def entry_dict(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
        "object_type": e.object_type, "object_id": e.object_id, "reason": e.reason,
        "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash,
    }


def list_entries(session: Session, *, limit: int | None = None) -> list[dict[str, Any]]:
    q = select(AuditEvent).order_by(AuditEvent.seq)
    if limit is not None:
        q = q.limit(limit)
    return [entry_dict(e) for e in session.execute(q).scalars()]


def check_exported(lines: list[str]) -> list[ChainProblem]:
    """Verify an exported log (JSON lines, as `amparo custody export` writes them) without a
    workspace or key: anyone given the file can run this, or re-implement it from the
    documented hash rule."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected = 1
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            seq = int(e["seq"])
            computed = entry_hash(seq, e["at"], e["actor"], e["action"], e["object_type"],
                                  e["object_id"], e["reason"], e["details"], e["prev_hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(ChainProblem(None, f"line {number} is not a custody entry"))
            continue
        if seq != expected:
            problems.append(ChainProblem(seq, f"expected entry {expected} here"))
        if e["prev_hash"] != prev:
            problems.append(ChainProblem(seq, "does not link to the entry before it"))
        if computed != e["hash"]:
            problems.append(ChainProblem(seq, "content does not match its hash (altered)"))
        prev, expected = e["hash"], seq + 1
    return problems
