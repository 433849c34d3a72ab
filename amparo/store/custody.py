"""The chain-of-custody log: every acquisition, view, export and deletion, append-only and
hash-chained, so anyone holding a copy of the workspace can check nothing was rewritten.

Entry n's hash is SHA-256 over a canonical JSON array of its fields exactly as stored, including
entry n-1's hash. Editing, removing or reordering any entry breaks the chain.

A hash chain alone can be rebuilt by whoever can write to the database, and entries cut from
its end leave no gap. So every transaction that adds entries ends with a signed checkpoint
entry (see signing.py): the log of a healthy workspace always ends with one, and a checkpoint
cannot be made without the vault key. The newest entry is also recorded, signed, in the head
file (anchors.py). What this can and cannot catch is in docs/evidence-integrity.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.errors import InvalidValue, NotFound
from amparo.store.signing import CustodyKey, checkpoint_message, signature_valid
from amparo.store.tables import AuditEvent

GENESIS = "0" * 64
CHECKPOINT = "custody.checkpoint"
ANOMALY = "custody.anomaly"
ACKNOWLEDGE = "custody.acknowledge"
_PENDING = "amparo.custody_unsealed"  # session.info flag: entries added, no checkpoint yet


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    seq: int, at: str, actor: str, action: str, object_type: str, object_id: str,
    reason: str, details: str, prev_hash: str,
) -> str:
    fields = [seq, at, actor, action, object_type, object_id, reason, details, prev_hash]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(e: dict[str, Any]) -> str:
    return entry_hash(
        e["seq"], e["at"], e["actor"], e["action"], e["object_type"], e["object_id"],
        e["reason"], e["details"], e["prev_hash"],
    )


def _add(
    session: Session, *, actor: str, action: str, object_type: str, object_id: str,
    reason: str, details: dict[str, Any] | None, sign: CustodyKey | None = None,
) -> AuditEvent:
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    if sign is not None:
        details = {"key": sign.public_hex, "sig": sign.sign(checkpoint_message(seq, prev))}
        object_id = str(seq - 1)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    event = AuditEvent(
        seq=seq, at=at, actor=actor, action=action, object_type=object_type,
        object_id=object_id, reason=reason, details=canonical(details or {}), prev_hash=prev,
    )
    event.hash = _hash_of(entry_dict(event))
    session.add(event)
    session.flush()
    return event


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
    chain. `Workspace.session()` seals the transaction with a checkpoint before it commits."""
    event = _add(session, actor=actor, action=action, object_type=object_type,
                 object_id=object_id, reason=reason, details=details)
    session.info[_PENDING] = True
    return event


def seal(session: Session, key: CustodyKey, actor: str) -> AuditEvent | None:
    """Close the entries this transaction added with a signed checkpoint over everything before
    it (none if the transaction added no entry)."""
    if not session.info.pop(_PENDING, False):
        return None
    return _add(session, actor=actor, action=CHECKPOINT, object_type="custody",
                object_id="", reason="", details=None, sign=key)


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"custody entry {self.seq}" if self.seq is not None else "custody log"
        return f"{where}: {self.problem}"


@dataclass
class ChainWalk:
    """Checks entries one by one, in order, as they come from the database or an exported
    file. `public_key`: the workspace's signing key; None for an offline check, where each
    checkpoint is checked against the key it names (which proves consistency only)."""

    public_key: str | None = None
    problems: list[ChainProblem] = field(default_factory=list)
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    last_action: str = ""
    checkpoints: int = 0
    first_checkpoint: int | None = None
    last_checkpoint: int = 0
    keys: set[str] = field(default_factory=set)
    anomalies: dict[int, str] = field(default_factory=dict)

    def add(self, e: dict[str, Any]) -> None:
        seq = int(e["seq"])
        if seq != self.last_seq + 1:
            self._problem(seq, f"expected entry {self.last_seq + 1} here: entries were "
                               "removed or reordered")
        if e["prev_hash"] != self.last_hash:
            self._problem(seq, "does not link to the entry before it")
        if _hash_of(e) != e["hash"]:
            self._problem(seq, "content does not match its hash (altered)")
        if e["action"] == CHECKPOINT:
            self._checkpoint(seq, e)
        elif e["action"] == ANOMALY:
            self.anomalies[seq] = _detail(e, "problem")
        elif e["action"] == ACKNOWLEDGE and str(e["object_id"]).isdigit():
            self.anomalies.pop(int(e["object_id"]), None)
        self.entries += 1
        self.last_seq, self.last_hash, self.last_action = seq, str(e["hash"]), e["action"]

    def _problem(self, seq: int | None, text: str) -> None:
        self.problems.append(ChainProblem(seq, text))

    def _checkpoint(self, seq: int, e: dict[str, Any]) -> None:
        key, sig = _detail(e, "key"), _detail(e, "sig")
        self.checkpoints += 1
        self.last_checkpoint = seq
        if self.first_checkpoint is None:
            self.first_checkpoint = seq
        self.keys.add(key)
        if self.public_key is not None and key != self.public_key:
            self._problem(seq, "checkpoint names a signing key that is not this workspace's: "
                               "it was forged")
        elif not signature_valid(key, checkpoint_message(seq, e["prev_hash"]), sig):
            self._problem(seq, "checkpoint signature is invalid: it was forged, or the "
                               "entries before it were rewritten")

    def finish(self) -> list[ChainProblem]:
        """Problems that only the end of the log shows; call once, after the last entry."""
        if self.checkpoints and self.last_action != CHECKPOINT:
            self._problem(None, f"entries {self.last_checkpoint + 1} to {self.last_seq} come "
                                f"after the last signed checkpoint (entry "
                                f"{self.last_checkpoint}): the log was cut in the middle of a "
                                "command, or entries were added without the key")
        if len(self.keys) > 1:
            self._problem(None, f"checkpoints are signed by {len(self.keys)} different keys")
        for seq, text in sorted(self.anomalies.items()):
            self._problem(seq, f"records that a command found the log damaged: {text} "
                               "(compare with an exported copy, then 'amparo custody "
                               f"acknowledge {seq}')")
        return self.problems


def _detail(e: dict[str, Any], name: str) -> str:
    try:
        return str(json.loads(e["details"])[name])
    except (ValueError, KeyError, TypeError):
        return ""


def last_entry(session: Session) -> tuple[int, str]:
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def first_checkpoint(session: Session) -> int | None:
    return session.scalar(select(AuditEvent.seq).where(AuditEvent.action == CHECKPOINT)
                          .order_by(AuditEvent.seq).limit(1))


def record_anomalies(session: Session, problems: list[ChainProblem], actor: str) -> None:
    """Write what a command found wrong with the log into the log itself, so that the next
    head file (which would otherwise re-anchor a cut log) cannot hide it."""
    for p in problems:
        append(session, actor=actor, action=ANOMALY, object_type="custody", object_id="",
               details={"problem": str(p)})


def acknowledge(session: Session, seq: int, *, actor: str, reason: str) -> AuditEvent:
    """Record that someone reviewed the anomaly in entry `seq` (it stays in the log)."""
    if not reason.strip():
        raise InvalidValue("acknowledging a custody anomaly needs a --reason")
    target = session.get(AuditEvent, seq)
    if target is None or target.action != ANOMALY:
        raise NotFound(f"custody entry {seq} is not a recorded anomaly")
    return append(session, actor=actor, action=ACKNOWLEDGE, object_type="custody",
                  object_id=str(seq), reason=reason)


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


def check_exported(lines: Iterable[str], public_key: str | None = None) -> ChainWalk:
    """Verify an exported log (JSON lines, as `amparo custody export` writes them) without a
    workspace or key: anyone given the file can run this, or re-implement it from the
    documented rules. Checkpoint signatures are checked against `public_key` when given (the
    one `custody export` printed), else only against the key each checkpoint names."""
    walk = ChainWalk(public_key=public_key)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            e["seq"], e["hash"] = int(e["seq"]), str(e["hash"])
            _hash_of(e)
        except (ValueError, KeyError, TypeError):
            walk.problems.append(ChainProblem(None, f"line {number} is not a custody entry"))
            continue
        walk.add(e)
    walk.finish()
    return walk
