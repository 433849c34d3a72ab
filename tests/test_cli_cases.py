"""`amparo case ...` end to end, in process, on SQLite and PostgreSQL: open a case for an
imported defender, work it, and read it back; bad input exits 2 with a clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amparo.cli import app
from tests.test_cli import amparo, cli_env  # noqa: F401 - the fixture is used by name

POSTS = ("id,author,text,created_at\n1,@a,sabemos onde você mora,2024-03-01T10:00:00Z\n"
         "2,@b,bom dia,2024-03-01T11:00:00Z\n")


def _workspace(tmp_path: Path) -> None:
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "Defensora Azul", "--country", "br")
    amparo("defender", "add", "Defensor Verde", "--country", "br")
    data = tmp_path / "posts.csv"
    data.write_text(POSTS, encoding="utf-8")
    amparo("import", str(data), "--defender", "Defensora Azul")
    result = CliRunner().invoke(app, ["user", "add", "ana", "--role", "caseworker",
                                      "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.stderr


@pytest.mark.usefixtures("cli_env")
def test_a_case_from_the_command_line(tmp_path: Path) -> None:
    _workspace(tmp_path)
    made = json.loads(amparo("case", "new", "--defender", "Defensora Azul", "--title",
                             "Threats on Instagram", "--assign", "ana", "--json"))
    case = str(made["id"])
    assert made["status"] == "new"
    assert amparo("case", "move", case, "triage").strip() == f"case {case} is now triage"
    internal = amparo("case", "note", case, "--text", "address exposed").strip()
    amparo("case", "note", case, "--text", "we reported it", "--shared")
    amparo("case", "note", case, "--text", "address exposed twice", "--supersedes", internal)
    task = amparo("case", "task", case, "--title", "Call back", "--due", "2020-01-31",
                  "--assign", "ana").strip()
    amparo("case", "link", case, "--message", "1")
    amparo("case", "link", case, "--evidence", "1")
    amparo("case", "link", case, "--evidence", "1", "--remove")
    amparo("case", "share", case, "ana")
    shown = json.loads(amparo("case", "show", case, "--json"))
    assert shown["assignees"] == ["ana"] and shown["shared_with"] == ["ana"]
    assert [n["shared"] for n in shown["notes"]] == [False, True, False]
    assert shown["notes"][2]["supersedes"] == int(internal)
    assert shown["tasks"][0]["overdue"] and shown["tasks"][0]["assignee"] == "ana"
    assert shown["links"] == [{"kind": "message", "id": 1, "linked_by": "caseworker-1",
                               "linked_at": shown["links"][0]["linked_at"]}]
    text = amparo("case", "show", case)
    assert "[OVERDUE] Call back" in text and "(internal) " in text and "(shared) " in text
    amparo("case", "done", case, task)
    amparo("case", "move", case, "closed", "--reason", "defender relocated")
    listed = json.loads(amparo("case", "list", "--json"))
    assert [(c["id"], c["status"], c["closed_reason"]) for c in listed] == [
        (int(case), "closed", "defender relocated")]
    assert json.loads(amparo("case", "list", "--status", "new", "--json")) == []
    assert "Threats on Instagram" in amparo("case", "list")
    log = amparo("custody", "list", "--json")
    assert '"case.create"' in log and '"case.view"' in log


@pytest.mark.usefixtures("cli_env")
def test_bad_case_input_says_what_is_wrong(tmp_path: Path) -> None:
    _workspace(tmp_path)
    case = amparo("case", "new", "--defender", "1", "--title", "x").strip()
    runner = CliRunner()
    for args, expected in [
        (["case", "show", "99"], "no case 99"),
        (["case", "move", case, "active"], "cannot move from new to active"),
        (["case", "move", case, "closed"], "closing a case needs a reason"),
        (["case", "link", case, "--message", "1", "--finding", "2"], "exactly one of"),
        (["case", "link", case], "exactly one of"),
        (["case", "task", case, "--title", "t", "--due", "31/01/2027"], "not a date"),
        (["case", "new", "--defender", "Nobody", "--title", "x"], "Nobody"),
        (["case", "new", "--defender", "1", "--title", "x", "--assign", "zé"], "no user"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert expected in result.stderr, (args, result.stderr)
    # A message of the other defender cannot be linked, and nothing changed.
    other = amparo("case", "new", "--defender", "2", "--title", "y").strip()
    result = runner.invoke(app, ["case", "link", other, "--message", "1"])
    assert result.exit_code == 2 and "another defender" in result.stderr
    assert json.loads(amparo("case", "show", other, "--json"))["links"] == []
