"""What anchors the custody log outside its own table: the signed head file
`$AMPARO_HOME/custody.head`, rewritten after each commit, and copies kept elsewhere (a copy of the
head, or an exported log).

Cutting whole commands from the end of the log leaves it ending with a valid checkpoint; the head
then records an entry the log no longer holds, and deleting the head is itself a finding. A log
rolled back together with a genuine older head is only caught by a copy kept elsewhere.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from amparo.errors import InvalidValue
from amparo.store.custody import ChainProblem, ChainWalk, entry_dict, last_entry
from amparo.store.signing import CustodyKey, head_message
from amparo.store.tables import AuditEvent

HEAD_FILE = "custody.head"


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
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        data = json.loads(lines[-1])
        return Anchor(path.name, int(data["seq"]), str(data["hash"]))
    except (ValueError, KeyError, TypeError, IndexError):
        raise InvalidValue(f"{path} is neither a copy of {HEAD_FILE} nor a log written by "
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
