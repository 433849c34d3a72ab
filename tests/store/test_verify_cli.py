"""`amparo verify` from the command line: what it recovered, and damaged databases reported as
one clear line naming the database, never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from amparo.cli import app
from amparo.config import Settings
from amparo.store.workspace import Workspace
from tests.test_cli import amparo, cli_env, runner  # noqa: F401  (cli_env is a fixture)

CSV = "id,author,text\n1,troll,vamos te achar\n2,troll2,segunda\n"


@pytest.fixture
def filled_cli(cli_env: Path, tmp_path: Path) -> Path:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "Defensora Azul")
    data = tmp_path / "posts.csv"
    data.write_text(CSV, encoding="utf-8")
    amparo("import", str(data), "--defender", "1")
    return cli_env


def one_error(args: list[str]) -> str:
    """Run a command that must fail cleanly; return its single error line."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "sqlalchemy" not in output.lower()
    lines = [line for line in output.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error:"), output
    return lines[0]


def test_verify_says_what_it_cleaned(filled_cli: Path) -> None:
    staging = filled_cli / "vault" / "staging"
    (staging / "incoming.0123456789abcdef").write_bytes(b"half-written")
    (staging / f"{'e' * 64}.0badf00d").write_bytes(b"staged, never committed")
    text_out = amparo("verify")
    assert "Finished an interrupted write: 2 staged file(s) of an import that never " \
           "committed removed (" + f"{'e' * 64}.0badf00d, incoming.0123456789abcdef)" in text_out
    assert "OK:" in text_out
    (staging / "incoming.fedcba9876543210").write_bytes(b"again")
    report = json.loads(amparo("verify", "--json"))
    assert report["ok"]
    assert report["recovered"] == {"promoted": [], "discarded": ["incoming.fedcba9876543210"],
                                   "removed": []}
    assert json.loads(amparo("verify", "--json"))["recovered"]["discarded"] == []


def test_other_commands_say_what_they_cleaned(filled_cli: Path, tmp_path: Path) -> None:
    (filled_cli / "vault" / "staging" / "incoming.0123456789abcdef").write_bytes(b"x")
    data = tmp_path / "more.csv"
    data.write_text("id,author,text\n9,troll,outra\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(data), "--defender", "1", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["files"][0]["new_messages"] == 1
    assert "note: finished an interrupted write: 1 staged file(s) of an import that never " \
           "committed removed (incoming.0123456789abcdef)" in result.stderr


def test_cut_log_and_deleted_head_fail_verify(filled_cli: Path, backend: str) -> None:
    settings = Settings.from_env(None)
    ws = Workspace.open(settings)
    try:
        with ws.session() as s:
            s.execute(text("DELETE FROM audit_events WHERE seq > 4"))
    finally:
        ws.close()
    (filled_cli / "custody.head").unlink()
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert "FAIL custody log: custody.head is missing" in result.stdout


def test_custody_check_with_the_printed_public_key(filled_cli: Path, tmp_path: Path) -> None:
    log = tmp_path / "custody.jsonl"
    printed = amparo("custody", "export", str(log))
    key = printed.split("public key ")[1].split(":")[0]
    assert "signed by the key given" in amparo("custody", "check", str(log),
                                               "--public-key", key)
    assert key in amparo("custody", "check", str(log))
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:-1]) + "\n")
    assert "after the last signed checkpoint" in amparo("custody", "check", str(log),
                                                        "--public-key", key, code=1)


# --- Damaged databases ---


def damage_sqlite(home: Path, how: str) -> None:
    db = home / "amparo.db"
    for side in ("amparo.db-wal", "amparo.db-shm"):
        assert not (home / side).exists()  # every connection closed: all in the main file
    data = db.read_bytes()
    page = 4096
    if how == "garbage":
        db.write_bytes(os.urandom(len(data)))
    elif how == "empty":
        db.write_bytes(b"")
    elif how == "truncated":
        db.write_bytes(data[: len(data) // 2])
    elif how == "page":
        # Scribble over one b-tree page of the messages table, as a bad sector would.
        with sqlite3.connect(db) as conn:
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='messages'"
                                ).fetchone()[0]
        conn.close()
        start = (root - 1) * page
        db.write_bytes(data[:start + 8] + os.urandom(page - 8) + data[start + page:])
    elif how == "index":
        # Change the stored keys at the end of an index page: queries still run, only SQLite's
        # own integrity check sees the index no longer matches its table.
        with sqlite3.connect(db) as conn:
            [pageno] = conn.execute("SELECT pageno FROM dbstat WHERE name = "
                                    "'ix_messages_evidence_item_id'").fetchone()
        conn.close()
        end = pageno * page
        db.write_bytes(data[:end - 6] + b"\x07" * 6 + data[end:])


@pytest.mark.parametrize("how,expected", [
    ("garbage", "is damaged or unreadable: file is not a database"),
    ("empty", "holds no Amparo schema: it was emptied, truncated or replaced"),
    ("truncated", "is damaged"),
    ("page", "is damaged"),
    ("index", "is damaged: SQLite's integrity check failed"),
])
def test_damaged_sqlite_file_is_one_clear_error(filled_cli: Path, backend: str, how: str,
                                                expected: str) -> None:
    if backend != "sqlite":
        pytest.skip("damages the SQLite file itself")
    damage_sqlite(filled_cli, how)
    line = one_error(["verify"])
    assert str(filled_cli / "amparo.db") in line and expected in line, line
    assert one_error(["verify", "--json"]) == line


def test_dropped_table_is_one_clear_error(filled_cli: Path, backend: str) -> None:
    url = os.environ.get("AMPARO_DATABASE_URL") or f"sqlite:///{filled_cli / 'amparo.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        cascade = " CASCADE" if backend == "postgresql" else ""
        conn.execute(text(f"DROP TABLE messages{cascade}"))
    engine.dispose()
    line = one_error(["verify"])
    assert "is damaged: table messages is missing" in line, line
    if backend == "sqlite":
        assert str(filled_cli / "amparo.db") in line
    else:
        assert "***" in line or "@" in line  # the server, its password hidden


@pytest.mark.parametrize("args", [["messages", "list", "--defender", "1"],
                                  ["custody", "list"], ["evidence", "list"],
                                  ["export", "--defender", "1", "--format", "jsonl"]])
def test_other_commands_on_a_dropped_table_name_the_damage(
    filled_cli: Path, backend: str, args: list[str], tmp_path: Path
) -> None:
    """Not only verify: any command whose query meets a damaged database says what is
    damaged (the structure check runs when a query fails), never 'internal error'."""
    url = os.environ.get("AMPARO_DATABASE_URL") or f"sqlite:///{filled_cli / 'amparo.db'}"
    engine = create_engine(url)
    table = "audit_events" if args[0] == "custody" else "messages"
    with engine.begin() as conn:
        cascade = " CASCADE" if backend == "postgresql" else ""
        conn.execute(text(f"DROP TABLE {table}{cascade}"))
    engine.dispose()
    if args[0] == "export":
        args = [*args, "--output", str(tmp_path / "out.jsonl")]
    line = one_error(args)
    assert f"is damaged: table {table} is missing" in line, line


def test_dropped_version_table_is_not_migrated_over(filled_cli: Path, backend: str) -> None:
    url = os.environ.get("AMPARO_DATABASE_URL") or f"sqlite:///{filled_cli / 'amparo.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    assert "holds no Amparo schema" in one_error(["verify"])
    engine = create_engine(url)
    with engine.connect() as conn:  # nothing was created in its place
        assert conn.execute(text("SELECT count(*) FROM messages")).scalar() == 2
    engine.dispose()


def test_verify_against_a_copy_kept_elsewhere(filled_cli: Path, tmp_path: Path) -> None:
    kept = tmp_path / "custody-june.jsonl"
    amparo("custody", "export", str(kept))
    assert "OK:" in amparo("verify", "--anchor", str(kept))
    old_head = (filled_cli / "custody.head").read_text()
    amparo("defender", "add", "Outra")
    newer = tmp_path / "head-copy.json"
    newer.write_text((filled_cli / "custody.head").read_text())
    settings = Settings.from_env(None)
    ws = Workspace.open(settings)
    try:
        with ws.session() as s:  # roll the log back and restore the head of that time
            s.execute(text("DELETE FROM audit_events WHERE seq > :n"),
                      {"n": json.loads(old_head)["seq"]})
    finally:
        ws.close()
    (filled_cli / "custody.head").write_text(old_head)
    assert "OK:" in amparo("verify", "--anchor", str(kept))
    result = runner.invoke(app, ["verify", "--anchor", str(newer)])
    assert result.exit_code == 1 and "which the log no longer holds" in result.stdout
    assert "nothing" in one_error(["verify", "--anchor", str(tmp_path / "nothing")])


def test_a_failed_query_on_a_sound_database_is_still_a_bug(
    filled_cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The damage check must not turn a real bug (a query the code got wrong) into 'your
    database is damaged'."""
    from amparo.store import evidence

    def wrong_query(ws: Workspace, defender_id: int | None = None) -> list[object]:
        with ws.session() as s:
            s.execute(text("SELECT no_such_column FROM messages"))
        return []

    monkeypatch.setattr(evidence, "list_evidence", wrong_query)
    result = runner.invoke(app, ["evidence", "list"])
    assert result.exit_code == 70, (result.stdout, result.stderr)
    assert "internal error" in result.stderr and "damaged" not in result.stderr


def test_mistakes_in_integrity_commands_are_the_users_not_bugs(
    filled_cli: Path, tmp_path: Path
) -> None:
    """A wrong evidence id, a custody entry that is no anomaly, an anchor file that is not one:
    one `error:` line naming the problem, exit 2 (not an internal error)."""
    assert "no evidence item 99" in one_error(["evidence", "reread", "99", "--reason", "x",
                                              "--yes"])
    assert "is not a recorded anomaly" in one_error(["custody", "acknowledge", "1",
                                                     "--reason", "x"])
    for content in (b"junk\n", b"\xd0\x00 not text"):
        anchor = tmp_path / "anchor.txt"
        anchor.write_bytes(content)
        assert "is neither a copy of custody.head" in one_error(
            ["verify", "--anchor", str(anchor)])
