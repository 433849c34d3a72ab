"""The command line, end to end, in-process against a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amparo.cli import app
from amparo.config import Settings
from amparo.store.workspace import Workspace
from tests.workspace_state import WorkspaceState, snapshot

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, backend: str, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ws"
    monkeypatch.setenv("AMPARO_HOME", str(home))
    monkeypatch.setenv("AMPARO_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("AMPARO_KDF_TIME_COST", "1")
    monkeypatch.setenv("AMPARO_ACTOR", "caseworker-1")
    monkeypatch.delenv("AMPARO_PASSPHRASE", raising=False)
    monkeypatch.delenv("AMPARO_KEY_FILE", raising=False)
    if backend == "postgresql":
        monkeypatch.setenv("AMPARO_DATABASE_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("AMPARO_DATABASE_URL", raising=False)
    return home


def _state() -> WorkspaceState:
    """The whole workspace the CLI works on (see tests/workspace_state.py)."""
    ws = Workspace.open(Settings.from_env())
    try:
        return snapshot(ws)
    finally:
        ws.close()


def amparo(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout


def test_full_flow(cli_env: Path, tmp_path: Path) -> None:
    amparo("init", "--insecure-demo-key")
    defender_id = amparo("defender", "add", "Defensora Azul", "--country", "br",
                         "--timezone", "America/Sao_Paulo").strip()
    assert defender_id == "1"
    data = tmp_path / "posts.csv"
    data.write_text("id,author,text,created_at\n1,@a,vamos te achar,2024-03-01T10:00:00Z\n"
                    "2,@b,segunda,2024-03-01T11:00:00Z\n", encoding="utf-8")

    dry = json.loads(amparo("import", str(data), "--dry-run", "--json"))
    files = dry.pop("files")
    assert dry == {"format": "generic", "messages": 2, "accounts": 2, "errors": [],
                   "left_out": []}
    assert [(f["path"], f["format"], f["messages"]) for f in files] == [
        (str(data), "generic", 2)]
    assert files[0]["assumptions"][0]["topic"] == "format"

    report = json.loads(amparo("import", str(data), "--defender", "Defensora Azul", "--json"))
    assert report["new_messages"] == 2
    again = json.loads(amparo("import", str(data), "--defender", "1", "--json"))
    assert again["new_messages"] == 0 and again["files"][0]["already_imported"]

    listed = [json.loads(line) for line in amparo("messages", "list", "--json").splitlines()]
    assert [m["text"] for m in listed] == ["vamos te achar", "segunda"]
    shown = json.loads(amparo("messages", "show", str(listed[0]["id"]), "--original",
                              "--json"))
    assert shown["original"] == "1,@a,vamos te achar,2024-03-01T10:00:00Z"

    out_file = tmp_path / "export.csv"
    assert "Exported 2 messages" in amparo("export", "--defender", "1", "--format", "csv",
                                           "--output", str(out_file))
    assert out_file.read_text(encoding="utf-8").count("\n") == 3

    verified = json.loads(amparo("verify", "--json"))
    assert verified["ok"] and verified["blobs"] == 1
    # create, defender, acquire, view, export: each closed by a signed checkpoint
    assert verified["entries"] == 10 and verified["checkpoints"] == 5


def test_errors_are_one_clear_line(cli_env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["messages", "list"])
    assert result.exit_code == 2
    assert "not an Amparo workspace" in result.stderr
    amparo("init", "--insecure-demo-key")
    bad = tmp_path / "chat.json"
    bad.write_text('{"name": "x", "type": "personal_chat", "id": 1, "messages": [\n'
                   '{"id": 1, "type": "message", "date": "2024-03-01T10:00:00", '
                   '"date_unixtime": "1709287200", "from": "A", "from_id": "user1", "text": "o')
    result = runner.invoke(app, ["import", str(bad), "--defender", "1"])
    assert result.exit_code == 2
    assert "no defender" in result.stderr
    amparo("defender", "add", "X")
    before = _state()
    result = runner.invoke(app, ["import", str(bad), "--defender", "1"])
    assert result.exit_code == 2, result.stdout
    assert "chat.json, line 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert _state() == before


def test_verify_fails_on_tampering(cli_env: Path, tmp_path: Path) -> None:
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X")
    data = tmp_path / "m.jsonl"
    data.write_text('{"text": "a"}\n', encoding="utf-8")
    amparo("import", str(data), "--defender", "1")
    blob = next(p for p in (cli_env / "vault" / "blobs").rglob("*") if p.is_file())
    raw = bytearray(blob.read_bytes())
    raw[-1] ^= 0x01
    blob.write_bytes(bytes(raw))
    out = amparo("verify", code=1)
    assert blob.name in out and "altered" in out


def test_passphrase_and_key_file_modes(cli_env: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMPARO_PASSPHRASE", "correct horse battery staple")
    amparo("init")
    amparo("defender", "list")
    monkeypatch.setenv("AMPARO_PASSPHRASE", "wrong passphrase entirely")
    result = runner.invoke(app, ["defender", "list"])
    assert result.exit_code == 2 and "wrong passphrase" in result.stderr

    other = tmp_path / "ws2"
    monkeypatch.setenv("AMPARO_HOME", str(other))
    monkeypatch.delenv("AMPARO_PASSPHRASE")
    result = runner.invoke(app, ["init", "--key-file", str(other / "key")])
    assert result.exit_code == 2 and "inside the workspace" in result.stderr
    key = tmp_path / "keys" / "amparo.key"
    amparo("init", "--key-file", str(key))
    assert key.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("AMPARO_KEY_FILE", str(key))
    amparo("defender", "list")


def test_watchlist_is_encrypted_and_kept_out_of_the_log(cli_env: Path) -> None:
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "Defensora Azul")
    amparo("defender", "watch", "1", "address", "Rua das Acácias 42, Recife")
    amparo("defender", "watch", "1", "school", "Escola Municipal Paulo Freire")
    if (cli_env / "amparo.db").exists():
        raw = b"".join(p.read_bytes() for p in cli_env.glob("amparo.db*"))
        assert "Acácias".encode() not in raw and b"Paulo Freire" not in raw
    result = runner.invoke(app, ["defender", "watch", "1", "shoe-size", "42"])
    assert result.exit_code == 2 and "unknown watchlist kind" in result.stderr


def test_evidence_delete_is_logged_and_verifiable(cli_env: Path, tmp_path: Path) -> None:
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X")
    data = tmp_path / "m.jsonl"
    data.write_text('{"text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    amparo("import", str(data), "--defender", "1")
    items = json.loads(amparo("evidence", "list", "--json"))
    assert [(i["messages"], i["name"]) for i in items] == [(2, "m.jsonl")]
    result = runner.invoke(app, ["evidence", "delete", "1", "--reason", "", "--yes"])
    assert result.exit_code == 2 and "needs a --reason" in result.stderr
    out = amparo("evidence", "delete", "1", "--reason", "defender withdrew consent", "--yes")
    assert "2 messages" in out
    assert json.loads(amparo("evidence", "list", "--json")) == []
    assert not any(p.is_file() for p in (cli_env / "vault" / "blobs").rglob("*"))
    verified = json.loads(amparo("verify", "--json"))
    assert verified["ok"], verified
    # The same file can be acquired again after deletion.
    assert json.loads(amparo("import", str(data), "--defender", "1", "--json"))[
        "new_messages"] == 2


def test_unexpected_errors_never_print_local_variables(cli_env: Path) -> None:
    """A bug must not dump locals (vault keys, passphrases, evidence) to the terminal."""
    import amparo.cli as cli

    assert cli.app.pretty_exceptions_show_locals is False
    assert cli.app.pretty_exceptions_enable is False


def test_custody_export_checks_without_a_workspace(cli_env: Path, tmp_path: Path) -> None:
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X")
    log = tmp_path / "custody.jsonl"
    amparo("custody", "export", str(log))
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["action"] for e in entries] == ["workspace.create", "custody.checkpoint",
                                              "defender.create", "custody.checkpoint"]
    listed = amparo("custody", "list", "--json").splitlines()
    assert [json.loads(x)["hash"] for x in listed] == [e["hash"] for e in entries]
    assert "chain intact" in amparo("custody", "check", str(log))
    entries[0]["actor"] = "someone else"
    log.write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert "entry 1: content does not match" in amparo("custody", "check", str(log), code=1)
    log.write_text("".join(json.dumps(e) + "\n" for e in entries[1:]))
    assert "expected entry 1" in amparo("custody", "check", str(log), code=1)
    # A file that is not text at all is the user's mistake, named; not an internal error.
    log.write_bytes(b"\x89PNG\r\n\x1a\n\xd0\x00")
    result = runner.invoke(app, ["custody", "check", str(log)])
    assert result.exit_code == 2 and str(log) in result.stderr and "not UTF-8" in result.stderr
    result = runner.invoke(app, ["custody", "check", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "missing.jsonl" in result.stderr


def test_mixed_folder_import_and_reread(cli_env: Path, tmp_path: Path) -> None:
    from tests.ingest.helpers import MIXED_FORMATS, mixed_folder

    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "Defensora Azul", "--timezone", "America/Sao_Paulo")
    folder = mixed_folder(tmp_path)

    dry = json.loads(amparo("import", str(folder), "--dry-run", "--json"))
    assert {Path(f["path"]).name: f["format"] for f in dry["files"]} == MIXED_FORMATS
    assert dry["format"] == "email,mastodon,telegram,whatsapp"
    chat = next(f for f in dry["files"] if f["format"] == "whatsapp")
    assert {a["topic"] for a in chat["assumptions"]} == {"format", "date_order", "time_zone"}

    # A file nobody reads stops the import, naming it, and nothing is stored.
    stray = folder / "print.pdf"
    stray.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    before = _state()
    result = runner.invoke(app, ["import", str(folder), "--defender", "1"])
    assert result.exit_code == 2 and "from Ana/print.pdf" in result.stderr
    assert _state() == before
    stray.unlink()

    text = amparo("import", str(folder), "--defender", "1", "--reason", "intake")
    assert "as telegram: 13 messages" in text
    assert "date order of WhatsApp Chat with Ana.txt: day/month/year (inferred)" in text
    assert "time zone: America/Sao_Paulo (assumed)" in text
    items = {i["name"]: i for i in json.loads(amparo("evidence", "list", "--json"))}
    assert items["from Ana/result.json"]["format"] == "telegram"
    assert items["from Ana/result.json"]["messages"] > 0

    chat_id = str(items["from Ana/WhatsApp Chat with Ana.txt"]["id"])
    before = _state()
    result = runner.invoke(app, ["evidence", "reread", chat_id, "--reason", "check", "--yes",
                                 "--format", "telegram"])
    assert result.exit_code == 2 and "no result.json" in result.stderr
    assert _state() == before
    out = amparo("evidence", "reread", chat_id, "--reason", "zone of the chat", "--yes",
                 "--timezone", "Europe/Lisbon")
    assert "time zone: Europe/Lisbon (given)" in out
    assert "8 messages replaced by 8" in out
    logged = [json.loads(x) for x in amparo("custody", "list", "--json").splitlines()]
    # The command's last entry is the re-read, then its signed checkpoint.
    reread = [e for e in logged if e["action"] != "custody.checkpoint"][-1]
    assert reread["action"] == "evidence.reread" and reread["reason"] == "zone of the chat"
    assert logged[-1]["action"] == "custody.checkpoint"
    assert json.loads(amparo("verify", "--json"))["ok"]


def test_reimport_with_other_options_points_to_reread(cli_env: Path, tmp_path: Path) -> None:
    """Regression: `import --month-first` on a chat imported day-first said only "already
    imported", and the dates could never be corrected."""
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "X", "--timezone", "America/Sao_Paulo")
    chat = tmp_path / "WhatsApp Chat with Bia.txt"
    chat.write_text("04/03/2024, 09:00 - Ana: quando?\n05/03/2024, 09:01 - Bia: hoje\n",
                    encoding="utf-8")
    first = amparo("import", str(chat), "--defender", "1")
    assert "date order of WhatsApp Chat with Bia.txt: day/month/year (assumed)" in first
    again = amparo("import", str(chat), "--defender", "1", "--month-first")
    assert "already imported (evidence 1)" in again
    assert "amparo evidence reread 1 --month-first --reason" in again
    report = json.loads(amparo("evidence", "reread", "1", "--month-first", "--reason",
                               "US phone", "--yes", "--json"))
    assert report["removed"] == {"messages": 2, "findings": 0, "campaign_links": 0}
    assert report["after"][0]["day_first"] is False
    listed = [json.loads(x) for x in amparo("messages", "list", "--json").splitlines()]
    assert [m["timestamp_utc"][:10] for m in listed] == ["2024-04-03", "2024-05-03"]
