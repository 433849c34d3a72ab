"""What the command line shows and writes: whole hashes, honest paging, readable messages,
exports that never overwrite a file unasked and CSV cells a spreadsheet will not execute."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amparo.cli import app
from amparo.store.export import spreadsheet_safe
from tests.test_cli import amparo, cli_env  # noqa: F401 - the fixture is used by name

runner = CliRunner()
WHATSAPP = (Path(__file__).parent / "fixtures" / "whatsapp"
            / "Conversa do WhatsApp com +55 11 91234-5678.txt")


@pytest.fixture
def chat(cli_env: Path, tmp_path: Path) -> Path:  # noqa: F811
    """A workspace holding the Portuguese WhatsApp chat of defender Ana (São Paulo time)."""
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "Ana", "--country", "BR", "--timezone", "America/Sao_Paulo")
    copy = tmp_path / WHATSAPP.name
    shutil.copy(WHATSAPP, copy)
    amparo("import", str(copy), "--defender", "Ana")
    return copy


def test_evidence_list_shows_whole_hashes(chat: Path) -> None:
    digest = hashlib.sha256(chat.read_bytes()).hexdigest()
    shown = amparo("evidence", "list")
    assert f"sha256 {digest}" in shown and "…" not in shown
    assert json.loads(amparo("evidence", "list", "--json"))[0]["sha256"] == digest


def test_messages_list_says_when_it_shows_a_page(chat: Path) -> None:
    everything = amparo("messages", "list", "--json", "--limit", "1000").splitlines()
    total = len(everything)
    assert total > 3
    result = runner.invoke(app, ["messages", "list", "--limit", "2", "--json"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    assert f"showing 1–2 of {total} messages; use --limit and --offset" in result.stderr
    result = runner.invoke(app, ["messages", "list", "--offset", "2", "--limit", "2"])
    assert f"showing 3–4 of {total}" in result.stderr
    result = runner.invoke(app, ["messages", "list", "--offset", str(total)])
    assert f"skips all {total} messages" in result.stderr
    result = runner.invoke(app, ["messages", "list", "--limit", str(total)])
    assert "showing" not in result.stderr


def test_messages_show_is_readable(chat: Path) -> None:
    rows = [json.loads(x) for x in amparo("messages", "list", "--json").splitlines()]
    hidden = next(r for r in rows if r["attachments"])
    shown = amparo("messages", "show", str(hidden["id"]))
    assert "{'" not in shown and "[{" not in shown  # no Python or JSON dict text
    assert "author:" in shown and "+55 11 91234-5678" in shown
    # Stored in UTC, shown with the local time the export gave (São Paulo's zone, assumed).
    assert ("2024-03-13 00:18:00 UTC (2024-03-12 21:18:00 local, UTC-03:00, zone assumed)"
            in shown)
    assert "attachment:" in shown and "left out of the export" in shown
    assert f"{chat.name}, line {hidden['locator']['line_start']}" in shown
    assert "(no text)" in shown
    assert hashlib.sha256(chat.read_bytes()).hexdigest() in shown
    as_json = json.loads(amparo("messages", "show", str(hidden["id"]), "--json"))
    assert as_json["locator"] == hidden["locator"] and as_json["evidence_name"] == chat.name


def test_csv_export_neutralises_formulas_and_jsonl_stays_exact(
        chat: Path, tmp_path: Path) -> None:
    extra = tmp_path / "replies.jsonl"
    texts = ["=HYPERLINK(\"http://evil.example\",\"ver\")", "+55 11 98888-7777", "-1 voto",
             "@ana_souza vai ver", "\tcmd", "\rcmd", "normal"]
    extra.write_text("".join(json.dumps({"text": t, "author": "@troll",
                                         "timestamp": "2024-03-14T10:00:00-03:00"}) + "\n"
                             for t in texts), encoding="utf-8")
    amparo("import", str(extra), "--defender", "Ana")

    out_csv = tmp_path / "ana.csv"
    amparo("export", "--defender", "Ana", "--format", "csv", "--output", str(out_csv))
    with out_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_text = {r["text"]: r for r in rows}
    for text in texts[:-1]:
        assert "'" + text in by_text, text
    assert "normal" in by_text
    assert by_text["'-1 voto"]["author"] == "'@troll"
    assert by_text["'-1 voto"]["utc_offset_minutes"] == "-180"  # numbers stay numbers
    whatsapp_author = next(r["author"] for r in rows if "91234" in r["author"])
    assert whatsapp_author.startswith("'+55")

    out_jsonl = tmp_path / "ana.jsonl"
    amparo("export", "--defender", "Ana", "--output", str(out_jsonl))
    exported = [json.loads(x) for x in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [m["text"] for m in exported if m["author"] == "@troll"] == texts


def test_spreadsheet_safe() -> None:
    assert [spreadsheet_safe(v) for v in ("=1+1", "@x", "a=b", "", None, -180, "–dash")] == [
        "'=1+1", "'@x", "a=b", "", None, -180, "–dash"]


def test_export_never_overwrites_unasked_and_names_the_file(
        chat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    first = amparo("export", "--defender", "Ana")
    target = work / "amparo-export-1.jsonl"
    written = target.read_bytes()
    assert f"to {target}" in first
    assert hashlib.sha256(written).hexdigest() in first

    target.write_text("the caseworker's own notes\n", encoding="utf-8")
    result = runner.invoke(app, ["export", "--defender", "Ana"])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "the caseworker's own notes\n"
    assert not list(work.glob("*.partial"))

    amparo("export", "--defender", "Ana", "--force")
    assert target.read_bytes() == written
    log = [json.loads(x) for x in amparo("custody", "list", "--json").splitlines()]
    assert [e["action"] for e in log].count("evidence.export") == 2  # the refusal is not one


def test_iocs_list_json(cli_env: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    feed = Path(__file__).parent / "fixtures" / "iocs" / "domains.txt"
    amparo("iocs", "import", str(feed), "--name", "lab feed")
    listed = json.loads(amparo("iocs", "list", "--json"))
    assert [c["name"] for c in listed] == ["lab feed"]
    assert listed[0]["counts"]["domain"] > 0
