"""`verify` must catch any single changed byte in an original or a custody entry, and removed
or reordered entries."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select, update

from amparo.store.importing import import_paths
from amparo.store.tables import AuditEvent
from amparo.store.verify import verify_workspace
from amparo.store.workspace import Workspace

FIELDS = ("at", "actor", "action", "object_type", "object_id", "reason", "details",
          "prev_hash", "hash")


@pytest.fixture
def filled(ws: Workspace, defender_id: int, tmp_path: Path) -> Workspace:
    for i in range(3):
        p = tmp_path / f"f{i}.csv"
        rows = "".join(f"{j},troll{j},mensagem {i}-{j} " + "x" * (j * 37) + "\n"
                       for j in range(400 * (i + 1)))
        p.write_text("id,author,text\n" + rows, encoding="utf-8")
        import_paths(ws, defender_id, [p], reason=f"batch {i}")
    assert verify_workspace(ws).ok
    return ws


def test_flipped_blob_bytes_are_always_caught(filled: Workspace) -> None:
    rng = random.Random(1234)
    blobs = sorted(p for p in filled.vault.blobs.rglob("*") if p.is_file())
    for _ in range(60):
        path = rng.choice(blobs)
        data = bytearray(path.read_bytes())
        pos = rng.randrange(len(data))
        original = data[pos]
        data[pos] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        report = verify_workspace(filled)
        assert not report.ok, f"flip at byte {pos} of {path.name} went unnoticed"
        assert any(path.name in p for p in report.problems)
        data[pos] = original
        path.write_bytes(bytes(data))
    assert verify_workspace(filled).ok


def flip_char(value: str, rng: random.Random) -> str:
    pos = rng.randrange(len(value))
    ch = value[pos]
    new = chr(ord(ch) ^ (1 << rng.randrange(5))) if ch.isascii() else "x"
    if new == ch or not new.isprintable():
        new = "A" if ch != "A" else "B"
    return value[:pos] + new + value[pos + 1 :]


def test_flipped_custody_bytes_are_always_caught(filled: Workspace) -> None:
    rng = random.Random(99)
    with filled.session() as s:
        seqs = list(s.execute(select(AuditEvent.seq)).scalars())
    for _ in range(60):
        seq = rng.choice(seqs)
        field = rng.choice(FIELDS)
        with filled.session() as s:
            original = getattr(s.get(AuditEvent, seq), field)
            if not original:
                continue
            s.execute(update(AuditEvent).where(AuditEvent.seq == seq)
                      .values({field: flip_char(original, rng)}))
        report = verify_workspace(filled)
        assert not report.ok, f"change to {field} of entry {seq} went unnoticed"
        assert any(f"entry {seq}" in p or f"entry {seq + 1}" in p for p in report.problems)
        with filled.session() as s:
            s.execute(update(AuditEvent).where(AuditEvent.seq == seq).values({field: original}))
    assert verify_workspace(filled).ok


def test_removed_entry_is_caught(filled: Workspace) -> None:
    with filled.session() as s:
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 3))
    report = verify_workspace(filled)
    assert not report.ok
    assert any("entry 4" in p for p in report.problems)


def test_removed_last_entries_are_caught(filled: Workspace) -> None:
    with filled.session() as s:
        last = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == last))
    report = verify_workspace(filled)
    assert not report.ok
    assert any("removed from the end" in p for p in report.problems)


def test_reordered_entries_are_caught(filled: Workspace) -> None:
    with filled.session() as s:
        a, b = s.get(AuditEvent, 2), s.get(AuditEvent, 3)
        assert a is not None and b is not None
        fields = {f: (getattr(a, f), getattr(b, f)) for f in FIELDS}
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq.in_([2, 3])))
        s.flush()
        s.execute(AuditEvent.__table__.insert(), [
            {"seq": 2, **{f: v[1] for f, v in fields.items()}},
            {"seq": 3, **{f: v[0] for f, v in fields.items()}},
        ])
    report = verify_workspace(filled)
    assert not report.ok
    assert any("entry 2" in p for p in report.problems)


def test_missing_blob_is_named(filled: Workspace) -> None:
    blob = next(p for p in filled.vault.blobs.rglob("*") if p.is_file())
    blob.unlink()
    report = verify_workspace(filled)
    assert any(blob.name in p and "missing" in p for p in report.problems)


def test_evidence_hash_rewritten_in_database_is_caught(filled: Workspace) -> None:
    from amparo.store.tables import EvidenceItem

    with filled.session() as s:
        item = s.execute(select(EvidenceItem).limit(1)).scalar_one()
        item.sha256 = "0" * 64
    report = verify_workspace(filled)
    assert any("differs from the one recorded" in p for p in report.problems)
