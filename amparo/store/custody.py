"""The chain-of-custody log: every acquisition, view, export and deletion, append-only and
hash-chained, so anyone holding a copy of the workspace can check nothing was rewritten.

Entry n's hash is SHA-256 over a canonical JSON array of its fields exactly as stored, including
entry n-1's hash. Editing, removing or reordering any entry breaks the chain.

A hash chain alone can be rebuilt by whoever can write to the database, and entries cut from
its end leave no gap. So every transaction that adds entries ends with a signed checkpoint
entry (see signing.py): the log of a healthy workspace always ends with one, and a checkpoint
cannot be made without the vault key. The newest entry is also recorded, signed, in the head
file `$AMPARO_HOME/custody.head`, rewritten after each commit; cutting whole commands from the
end of the log then disagrees with it, and deleting it is itself a finding. What this can and
cannot catch is in docs/evidence-integrity.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.store.signing import CustodyKey, checkpoint_message, head_message, signature_valid
from amparo.store.tables import AuditEvent

GENESIS = "0" * 64
HEAD_FILE = "custody.head"
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


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    sig: str | None  # None in head files written before checkpoints existed


def read_head(head_file: Path) -> Head | None:
    """The head file's content; None if it is missing; ValueError if it is unreadable."""
    try:
        text = head_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        sig = data.get("sig")
        return Head(int(data["seq"]), str(data["hash"]), None if sig is None else str(sig))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(f"{head_file.name} is unreadable") from None


@dataclass(frozen=True)
class HeadState:
    """The head file as read at one moment. Read it BEFORE the log: heads are written after
    commits, so a head read first is never ahead of the log that is read next, even while
    writers that take no lock commit in between."""

    name: str
    head: Head | None
    error: str | None = None

    @classmethod
    def read(cls, head_file: Path) -> HeadState:
        try:
            return cls(head_file.name, read_head(head_file))
        except ValueError as exc:
            return cls(head_file.name, None, str(exc))


def head_problems(
    session: Session, state: HeadState, key: CustodyKey, last_seq: int,
    first_checkpoint: int | None,
) -> list[ChainProblem]:
    """Check the head file against the log, which ends at `last_seq` and has its first
    checkpoint at `first_checkpoint` (None in a log written before checkpoints existed)."""
    name, head = state.name, state.head
    if state.error is not None:
        return [ChainProblem(None, state.error)]
    if head is None:
        if last_seq == 0:
            return [ChainProblem(None, f"the log is empty and {name} is missing: every "
                                       "workspace starts with its creation entry, so the "
                                       "database was emptied or replaced")]
        return [ChainProblem(None, f"{name} is missing: entries may have been cut from the "
                                   f"end of the log (it now ends at entry {last_seq}); "
                                   "compare with an exported copy of the log")]
    if head.sig is None:
        # Only a head written before the log's first checkpoint can lack a signature.
        if first_checkpoint is not None and head.seq >= first_checkpoint:
            return [ChainProblem(None, f"{name} is not signed, but the log was already "
                                       "signed at the entry it names: it was replaced")]
    elif not key.valid(head_message(head.seq, head.hash), head.sig):
        return [ChainProblem(None, f"{name} has an invalid signature: it was forged or edited")]
    if head.seq > last_seq:
        return [ChainProblem(None, f"the log ends at entry {last_seq} but {name} records "
                                   f"entry {head.seq}: entries were removed from the end")]
    anchored = session.get(AuditEvent, head.seq)
    if anchored is None or anchored.hash != head.hash:
        return [ChainProblem(head.seq, f"does not match the hash recorded in {name}: the "
                                       "log was cut and rewritten after it")]
    return []


@dataclass(frozen=True)
class Anchor:
    """An entry that a copy kept outside the workspace vouches for."""

    source: str
    seq: int
    hash: str


def read_anchor(path: Path) -> Anchor:
    """A copy of custody.head, or a log written by `custody export` (its last entry)."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        data = json.loads(lines[-1])
        return Anchor(path.name, int(data["seq"]), str(data["hash"]))
    except (ValueError, KeyError, TypeError, IndexError):
        raise ValueError(f"{path} is neither a copy of {HEAD_FILE} nor a log written by "
                         "'amparo custody export'") from None


def anchor_problems(session: Session, anchor: Anchor) -> list[ChainProblem]:
    """The one rollback a workspace cannot see by itself: its log must still hold, unchanged,
    the entry a copy kept elsewhere records (the chain then vouches for all before it)."""
    entry = session.get(AuditEvent, anchor.seq)
    if entry is None:
        return [ChainProblem(None, f"{anchor.source} records entry {anchor.seq}, which the log "
                                   "no longer holds: entries were removed or the workspace "
                                   "was rolled back")]
    if entry.hash != anchor.hash:
        return [ChainProblem(anchor.seq, f"differs from {anchor.source}: the log was rewritten "
                                         "after that copy was made")]
    return []


def verify_chain(session: Session, head_file: Path, key: CustodyKey) -> ChainWalk:
    """Walk the whole log and check the head; the walk's `problems` is empty when intact."""
    head = HeadState.read(head_file)
    walk = ChainWalk(public_key=key.public_hex)
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for e in rows:
        walk.add(entry_dict(e))
        session.expunge(e)
    walk.finish()
    walk.problems.extend(head_problems(session, head, key, walk.last_seq,
                                       walk.first_checkpoint))
    return walk


def last_entry(session: Session) -> tuple[int, str]:
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def first_checkpoint(session: Session) -> int | None:
    return session.scalar(select(AuditEvent.seq).where(AuditEvent.action == CHECKPOINT)
                          .order_by(AuditEvent.seq).limit(1))


def write_head(session: Session, head_file: Path, key: CustodyKey) -> None:
    """Record the newest entry, signed, outside the database (call after commit)."""
    seq, entry = last_entry(session)
    if seq == 0:
        return
    head = {"seq": seq, "hash": entry, "sig": key.sign(head_message(seq, entry))}
    # A private temporary name: writers that hold no lock may write heads at the same time.
    tmp = head_file.with_name(f".{head_file.name}.{secrets.token_hex(4)}")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(head_file)


def record_anomalies(session: Session, problems: list[ChainProblem], actor: str) -> None:
    """Write what a command found wrong with the log into the log itself, so that the next
    head file (which would otherwise re-anchor a cut log) cannot hide it."""
    for p in problems:
        append(session, actor=actor, action=ANOMALY, object_type="custody", object_id="",
               details={"problem": str(p)})


def acknowledge(session: Session, seq: int, *, actor: str, reason: str) -> AuditEvent:
    """Record that someone reviewed the anomaly in entry `seq` (it stays in the log)."""
    if not reason.strip():
        raise ValueError("acknowledging a custody anomaly needs a --reason")
    target = session.get(AuditEvent, seq)
    if target is None or target.action != ANOMALY:
        raise LookupError(f"custody entry {seq} is not a recorded anomaly")
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
            e["seq"] = int(e["seq"])
            _hash_of(e)
        except (ValueError, KeyError, TypeError):
            walk.problems.append(ChainProblem(None, f"line {number} is not a custody entry"))
            continue
        walk.add(e)
    walk.finish()
    return walk
