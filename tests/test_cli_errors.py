"""Errors a caseworker meets at the command line: one clear line naming the file or the option,
bugs reported as bugs, and the traceback only when asked for."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amparo.cli import app
from amparo.store.workspace import Workspace
from tests.test_cli import amparo, cli_env  # noqa: F401 - the fixture is used by name

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def fails(*args: str, code: int = 2) -> tuple[str, str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout, result.stderr


def plain(text: str) -> str:
    """The text of a rich error box, without the box and the line breaks."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def test_a_bug_is_an_internal_error_not_the_users_mistake(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")

    def broken(self: Workspace) -> None:
        raise KeyError("evidence_sha256")

    monkeypatch.setattr(Workspace, "session", broken)
    _, stderr = fails("defender", "list", code=70)
    assert "internal error: KeyError: 'evidence_sha256'" in stderr
    assert "AMPARO_DEBUG=1" in stderr and "error: 'evidence_sha256'" not in stderr

    for debug_args, env in ((["--debug"], {}), ([], {"AMPARO_DEBUG": "1"})):
        result = runner.invoke(app, [*debug_args, "defender", "list"], env=env)
        assert result.exit_code == 70
        assert "Traceback" in result.stderr and "KeyError" in result.stderr


def test_a_full_disk_is_not_a_bug(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")

    def full(self: Workspace) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Workspace, "session", full)
    _, stderr = fails("defender", "list")
    assert "No space left on device" in stderr and "internal error" not in stderr


def test_debug_shows_the_traceback_of_a_user_error_too(cli_env: Path) -> None:  # noqa: F811
    result = runner.invoke(app, ["--debug", "messages", "list"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "not an Amparo workspace" in result.stderr


BAD_OPTIONS = [
    (["messages", "list", "--kind", "bogus"], "user, system"),
    (["messages", "list", "--platform", "orkut"], "whatsapp, telegram"),
    (["findings", "list", "--label", "nope"], "threat.death"),
    (["findings", "list", "--min-severity", "huge"], "info, low, medium, high, critical"),
    (["import", "x.csv", "--dry-run", "--timezone", "America/Bogot"], "America/Bogota"),
    (["import", "x.csv", "--dry-run", "--format", "myspace"], "auto, discord, email"),
    (["defender", "add", "Y", "--timezone", "Mars/Olympus"], "IANA time zone"),
    (["defender", "add", "Y", "--country", "XX"], "ISO 3166"),
    (["defender", "add", "Y", "--language", "Portuguese"], "ISO 639"),
    (["export", "--defender", "1", "--format", "xlsx"], "jsonl, csv"),
    (["campaigns", "detect", "posts.csv", "--engine", "spark"], "local, dask"),
    (["analyze", "-", "--detector", "nope"], "abuse, doxing, links, threats"),
    (["analyze", "-", "--country", "Brazil"], "ISO 3166"),
    (["messages", "list", "--limit", "0"], "greater than or equal to 1"),
]


def test_enumerated_options_are_usage_errors(cli_env: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X")
    for args, valid in BAD_OPTIONS:
        _, stderr = fails(*args)
        assert "Invalid value for" in stderr and valid in plain(stderr), args
    # Case does not matter where the vocabulary is case-free.
    amparo("findings", "list", "--min-severity", "HIGH")
    amparo("findings", "list", "--label", "doxing")


def test_failed_dry_run_json_prints_an_error_object(tmp_path: Path) -> None:
    data = tmp_path / "posts.csv"
    data.write_bytes("id,text\n1,ação\n".encode("cp1252"))
    stdout, stderr = fails("import", str(data), "--dry-run", "--json")
    assert json.loads(stdout) == {"error": {
        "file": "posts.csv", "where": "line 2",
        "message": json.loads(stdout)["error"]["message"]}}
    assert "not valid utf-8" in json.loads(stdout)["error"]["message"]
    assert "posts.csv, line 2" in stderr
    missing = json.loads(fails("import", str(tmp_path / "gone.json"), "--dry-run", "--json")[0])
    assert missing["error"]["file"].endswith("gone.json")


def _write_latin1(path: Path) -> Path:
    path.write_bytes("account_id,url_id,timestamp\nana,u1,1700000000\njosé,u1,1700000003\n"
                     .encode("latin-1"))
    return path


def test_every_file_problem_names_the_file(cli_env: Path, tmp_path: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X")
    folder = tmp_path / "a folder"
    folder.mkdir()
    missing = tmp_path / "missing.csv"
    latin = _write_latin1(tmp_path / "latin.csv")
    manifest = ["--manifest", str(tmp_path / "m.json")]
    for args, named in [
        (["analyze", str(missing), *manifest], "missing.csv"),
        (["analyze", str(latin), *manifest], "latin.csv"),
        (["analyze", str(latin), "--manifest", str(folder)], "a folder"),
        (["analyze", str(latin), "--manifest", str(tmp_path / "no" / "m.json")], "m.json"),
        (["iocs", "import", str(missing)], "missing.csv"),
        (["iocs", "import", str(folder)], "a folder"),
        (["iocs", "import", str(latin)], "latin.csv"),
        (["campaigns", "detect", str(missing)], "missing.csv"),
        (["campaigns", "detect", str(folder)], "a folder"),
        (["campaigns", "detect", str(latin)], "latin.csv"),
        (["campaigns", "detect", str(latin), "--timeline", str(tmp_path / "no" / "t.json")],
         "t.json"),
        (["import", str(missing), "--defender", "X"], "missing.csv"),
        (["import", str(latin), "--dry-run"], "latin.csv"),
        (["custody", "check", str(missing)], "missing.csv"),
        (["custody", "check", str(folder)], "a folder"),
        (["export", "--defender", "X", "--output", str(folder)], "a folder"),
        (["export", "--defender", "X", "--output", str(tmp_path / "no" / "x.csv")], "x.csv"),
    ]:
        _, stderr = fails(*args)
        assert named in stderr and "[Errno" not in stderr, (args, stderr)
    # DuckDB's message is trimmed: the quoted line of evidence is not echoed back.
    assert "Original Line" not in fails("campaigns", "detect", str(latin))[1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_named(cli_env: Path, tmp_path: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    locked = tmp_path / "locked.txt"
    locked.write_text("evil.example\n", encoding="utf-8")
    locked.chmod(0)
    for args in (["iocs", "import", str(locked)],
                 ["analyze", str(locked), "--manifest", str(tmp_path / "m.json")]):
        assert "locked.txt" in fails(*args)[1]


def test_damaged_workspace_files_are_named(cli_env: Path, backend: str) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    keyring = cli_env / "keyring.json"
    kept = keyring.read_bytes()
    keyring.write_text("{not json", encoding="utf-8")
    assert "keyring.json is damaged" in fails("defender", "list")[1]
    keyring.write_text('{"mode": "insecure-demo"}', encoding="utf-8")  # no key check
    assert "keyring.json is damaged (a field is missing" in fails("defender", "list")[1]
    keyring.write_bytes(kept)
    if backend == "sqlite":
        (cli_env / "amparo.db").write_bytes(b"this is not a database" * 200)
        assert "cannot open the database" in fails("defender", "list")[1]
