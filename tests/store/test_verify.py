"""`verify` must catch any single changed byte in an original or a custody entry, removed or
reordered entries, a log cut from its end, forged checkpoints; and say what it recovered."""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amparo.config import Settings
from amparo.store import anchors, custody
from amparo.store.evidence import delete_evidence
from amparo.store.export import export_messages
from amparo.store.importing import import_paths
from amparo.store.messages import original_context
from amparo.store.signing import CustodyKey, checkpoint_message
from amparo.store.tables import AuditEvent, EvidenceItem, Message
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


# --- Cut, forged and rewritten logs (the signed checkpoints and head) ---


def last_seq(ws: Workspace) -> int:
    with ws.session() as s:
        return int(s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
                   or 0)


def cut(ws: Workspace, n: int) -> None:
    """What someone with write access to the database does to hide the last n entries."""
    end = last_seq(ws)
    with ws.session() as s:
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq > end - n))


def forge(ws: Workspace, key: CustodyKey, *, sig: str | None = None) -> None:
    """Append an entry and a checkpoint the way code without the vault key could: a
    consistent hash chain, the checkpoint signed with some other key (or a made-up
    signature), and a head file to match."""
    with ws.session() as s:
        seq, prev = custody.last_entry(s)
        rows = []
        for action, details in (("defender.create", "{}"), (custody.CHECKPOINT, None)):
            seq += 1
            if details is None:
                signature = sig or key.sign(checkpoint_message(seq, prev))
                details = custody.canonical({"key": key.public_hex, "sig": signature})
            row = {"seq": seq, "at": "2026-01-01T00:00:00.000000+00:00", "actor": "intruder",
                   "action": action, "object_type": "x", "object_id": "1", "reason": "",
                   "details": details, "prev_hash": prev}
            row["hash"] = prev = custody.entry_hash(**row)
            rows.append(row)
        s.execute(AuditEvent.__table__.insert(), rows)
    with ws.session() as s:
        anchors.write_head(s, ws.head_file, key)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_cut_entries_and_deleted_head_are_caught(filled: Workspace, n: int) -> None:
    cut(filled, n)
    filled.head_file.unlink()
    report = verify_workspace(filled)
    assert not report.ok
    assert any("custody.head is missing" in p and "cut from the end" in p
               for p in report.problems), report.problems
    if n % 2:  # every command's entries end with a checkpoint: an odd cut splits one
        assert any("after the last signed checkpoint" in p for p in report.problems)


@pytest.mark.parametrize("n", [2, 4])
def test_cut_whole_commands_with_the_head_left_are_caught(filled: Workspace, n: int) -> None:
    end = last_seq(filled)
    cut(filled, n)
    report = verify_workspace(filled)
    assert any(f"ends at entry {end - n} but custody.head records entry {end}" in p
               for p in report.problems), report.problems


def test_empty_log_without_head_is_caught(filled: Workspace) -> None:
    cut(filled, last_seq(filled))
    filled.head_file.unlink()
    assert any("log is empty and custody.head is missing" in p
               for p in verify_workspace(filled).problems)


def test_checkpoint_signed_with_another_key_is_caught(filled: Workspace) -> None:
    cut(filled, 2)
    forge(filled, CustodyKey(os.urandom(32)))
    problems = verify_workspace(filled).problems
    seq = last_seq(filled)
    assert f"custody entry {seq}: checkpoint names a signing key that is not this " \
           "workspace's: it was forged" in problems
    assert any("custody.head has an invalid signature" in p for p in problems)


def test_checkpoint_with_a_made_up_signature_is_caught(filled: Workspace) -> None:
    cut(filled, 2)
    # The intruder copies the workspace's (public) key into the checkpoint but cannot sign.
    forge(filled, filled.custody_key, sig="ab" * 64)
    problems = verify_workspace(filled).problems
    assert any(f"entry {last_seq(filled)}: checkpoint signature is invalid" in p
               for p in problems), problems


def test_entry_rewritten_with_recomputed_hashes_is_caught(filled: Workspace) -> None:
    """Without the key, the whole chain after an edit can be rehashed, but its checkpoints
    cannot be re-signed, nor the head."""
    with filled.session() as s:
        rows = [custody.entry_dict(e) for e in s.execute(
            select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
        rows[4]["reason"] = "nothing to see"
        for i, row in enumerate(rows):
            row["prev_hash"] = rows[i - 1]["hash"] if i else custody.GENESIS
            row["hash"] = custody.entry_hash(**{k: v for k, v in row.items() if k != "hash"})
        s.execute(AuditEvent.__table__.delete())
        s.flush()
        s.execute(AuditEvent.__table__.insert(), rows)
    last = rows[-1]
    filled.head_file.write_text(json.dumps({"seq": last["seq"], "hash": last["hash"]}))
    problems = verify_workspace(filled).problems
    assert any(f"entry {rows[5]['seq']}: checkpoint signature is invalid" in p
               for p in problems), problems
    assert any("custody.head is not signed" in p for p in problems)


def test_next_command_records_a_cut_instead_of_hiding_it(filled: Workspace,
                                                         tmp_path: Path) -> None:
    """A new head after a cut would re-anchor the shortened log; the command that finds the
    head missing writes that into the log first, until someone acknowledges it."""
    with filled.session() as s:
        custody.append(s, actor="tester", action="evidence.view", object_type="evidence",
                       object_id="1", reason="the view to hide")
    filled.after_commit()
    cut(filled, 2)
    filled.head_file.unlink()
    p = tmp_path / "later.csv"
    p.write_text("id,author,text\n1,troll,mais uma\n", encoding="utf-8")
    with filled.session() as s:
        defender = int(s.scalar(select(EvidenceItem.defender_id).limit(1)) or 0)
    import_paths(filled, defender, [p])
    report = verify_workspace(filled)
    [anomaly] = [p for p in report.problems if "a command found the log damaged" in p]
    assert "custody.head is missing" in anomaly
    seq = int(anomaly.split(":")[0].split()[-1])
    with pytest.raises(ValueError, match="--reason"), filled.session() as s:
        custody.acknowledge(s, seq, actor="admin", reason=" ")
    with filled.session() as s:
        custody.acknowledge(s, seq, actor="admin", reason="compared with export of 1 June")
    filled.after_commit()
    assert verify_workspace(filled).ok


def test_rollback_to_an_old_head_is_caught_only_by_a_copy_kept_elsewhere(
    filled: Workspace, tmp_path: Path,
) -> None:
    stolen_head = filled.head_file.read_text()  # what the intruder kept
    with filled.session() as s:
        custody.append(s, actor="tester", action="evidence.view", object_type="evidence",
                       object_id="1", reason="a view the intruder wants gone")
    filled.after_commit()
    kept_head = tmp_path / "custody.head.copy"  # what the organisation kept, off the server
    kept_head.write_text(filled.head_file.read_text())
    exported = tmp_path / "custody.jsonl"
    with filled.session() as s:
        exported.write_text("".join(json.dumps(e) + "\n" for e in custody.list_entries(s)))
    cut(filled, 2)
    filled.head_file.write_text(stolen_head)
    assert verify_workspace(filled).ok  # the log and the genuine older head agree
    for copy in (kept_head, exported):
        report = verify_workspace(filled, [anchors.read_anchor(copy)])
        assert any(f"{copy.name} records entry {last_seq(filled) + 2}, which the log no "
                   "longer holds" in p for p in report.problems), report.problems
    bad = tmp_path / "notes.txt"
    bad.write_text("{}")
    with pytest.raises(ValueError, match=r"neither a copy of custody\.head"):
        anchors.read_anchor(bad)
    # An anchor the log still holds, unchanged, is no finding.
    assert verify_workspace(filled, [anchors.read_anchor(filled.head_file)]).ok


def test_normal_work_verifies(filled: Workspace, tmp_path: Path) -> None:
    with filled.session() as s:
        item = s.execute(select(EvidenceItem).limit(1)).scalar_one()
        message = s.scalar(select(Message.id).where(Message.evidence_item_id != item.id)
                           .limit(1))
    assert message is not None
    original_context(filled, message, reason="review")
    delete_evidence(filled, item.id, reason="defender withdrew consent")
    export_messages(filled, item.defender_id, tmp_path / "out.jsonl", "jsonl", "referral")
    report = verify_workspace(filled)
    assert report.ok, report.problems
    assert report.checkpoints * 2 == report.entries_checked
    # A stale head (a crash between a commit and the head's rewrite) is not a finding.
    with filled.session() as s:
        custody.append(s, actor="tester", action="evidence.view", object_type="evidence",
                       object_id="1")
    assert verify_workspace(filled).ok


def test_log_written_before_checkpoints_still_verifies(ws: Workspace, defender_id: int,
                                                       tmp_path: Path) -> None:
    """A workspace created before checkpoints existed has none, and an unsigned head; it
    verifies, and its next command starts signing."""
    with ws.session() as s:
        rows = [custody.entry_dict(e) for e in s.execute(
            select(AuditEvent).where(AuditEvent.action != custody.CHECKPOINT)
            .order_by(AuditEvent.seq)).scalars()]
        for i, row in enumerate(rows):
            row["seq"] = i + 1
            row["prev_hash"] = rows[i - 1]["hash"] if i else custody.GENESIS
            row["hash"] = custody.entry_hash(**{k: v for k, v in row.items() if k != "hash"})
        s.execute(AuditEvent.__table__.delete())
        s.flush()
        s.execute(AuditEvent.__table__.insert(), rows)
    ws.head_file.write_text(json.dumps({"seq": rows[-1]["seq"], "hash": rows[-1]["hash"]}))
    report = verify_workspace(ws)
    assert report.ok and report.checkpoints == 0, report.problems
    p = tmp_path / "a.csv"
    p.write_text("id,author,text\n1,troll,oi\n", encoding="utf-8")
    import_paths(ws, defender_id, [p])
    report = verify_workspace(ws)
    assert report.ok and report.checkpoints == 1, report.problems
    assert "sig" in json.loads(ws.head_file.read_text())


def test_exported_log_checks_signatures_offline(filled: Workspace) -> None:
    with filled.session() as s:
        lines = [json.dumps(e) for e in custody.list_entries(s)]
    public = filled.custody_key.public_hex
    walk = custody.check_exported(lines, public)
    assert not walk.problems and walk.checkpoints == 5
    assert custody.check_exported(lines[:-1], public).problems  # cut inside a command
    no_hash = json.loads(lines[0])
    del no_hash["hash"]
    assert "line 1 is not a custody entry" in str(
        custody.check_exported([json.dumps(no_hash)]).problems[0])
    other = CustodyKey(os.urandom(32)).public_hex
    assert any("not this workspace's" in str(p)
               for p in custody.check_exported(lines, other).problems)


# --- What recovery after a crash did is reported, and evidence is never removed blindly ---


def test_verify_reports_the_staging_it_cleaned(filled: Workspace) -> None:
    uncommitted = filled.vault.stage(io.BytesIO(b"an import killed before its commit"))
    blob = next(p for p in filled.vault.blobs.rglob("*") if p.is_file())
    unpromoted = filled.vault.staging / f"{blob.name}.1a2b3c4d"  # killed after its commit
    blob.rename(unpromoted)
    entries = last_seq(filled)
    report = verify_workspace(filled)
    assert report.ok, report.problems
    assert report.recovered.discarded == [uncommitted.path.name]
    assert report.recovered.promoted == [unpromoted.name]
    assert blob.exists() and not list(filled.vault.staging.iterdir())
    with filled.session() as s:
        logged = s.execute(select(AuditEvent).where(AuditEvent.seq > entries)
                           .order_by(AuditEvent.seq)).scalars().all()
    assert [e.action for e in logged] == ["vault.recover", custody.CHECKPOINT]
    assert json.loads(logged[0].details) == {"promoted": [unpromoted.name], "removed": []}
    assert not verify_workspace(filled).recovered


def test_discarding_uncommitted_staging_leaves_the_log_alone(filled: Workspace) -> None:
    filled.vault.stage(io.BytesIO(b"never committed"))
    entries = last_seq(filled)
    assert verify_workspace(filled).recovered.discarded
    assert last_seq(filled) == entries


def test_interrupted_deletion_is_finished_and_logged(filled: Workspace) -> None:
    with filled.session() as s:
        item = s.execute(select(EvidenceItem).limit(1)).scalar_one()
    blob = filled.vault.blob_path(item.sha256)
    saved = blob.read_bytes()
    delete_evidence(filled, item.id, reason="withdrawn")
    blob.write_bytes(saved)  # as if the process died between the commit and the unlink
    report = verify_workspace(filled)
    assert report.ok and report.recovered.removed == [item.sha256], report.problems
    assert not blob.exists()


def test_blob_nothing_claims_is_kept_and_reported(filled: Workspace) -> None:
    staged = filled.vault.stage(io.BytesIO(b"evidence whose rows were lost"))
    filled.vault.promote(staged)
    report = verify_workspace(filled)
    assert any(staged.sha256 in p and "not recorded as any evidence item" in p
               for p in report.problems)
    assert filled.vault.has(staged.sha256)


def test_a_head_written_by_another_writer_meanwhile_is_not_a_cut(
    ws: Workspace, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Commands that take no write lock (adding a defender, viewing an original) commit and
    re-sign the head concurrently. Another writer's newer head, written while this command
    checks the old one, must not look like a cut log."""
    other = Workspace.open(settings)
    real_last_entry = custody.last_entry
    raced: list[int] = []

    def last_entry_then_another_commit(session: Session) -> tuple[int, str]:
        result = real_last_entry(session)
        if not raced:  # once: the other writer commits and re-signs the head right now
            raced.append(1)
            with other.session() as s:
                custody.append(s, actor="other", action="evidence.view",
                               object_type="evidence", object_id="2")
            other.after_commit()
        return result

    with ws.session() as s:
        custody.append(s, actor="tester", action="evidence.view", object_type="evidence",
                       object_id="1")
    monkeypatch.setattr(custody, "last_entry", last_entry_then_another_commit)
    ws.after_commit()
    other.close()
    report = verify_workspace(ws)
    assert raced and report.ok, report.problems
    assert report.entries_checked == 6
