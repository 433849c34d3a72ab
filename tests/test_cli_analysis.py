"""`amparo analyze`, `findings list` and `iocs import` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from amparo.cli import app
from tests.test_cli import amparo, cli_env  # noqa: F401 - the fixture is used by name

runner = CliRunner()


def test_analyze_stdin_without_workspace(tmp_path: Path, monkeypatch: object) -> None:
    lines = "\n".join(json.dumps(x) for x in [
        {"id": "a", "text": "clica aqui hxxp://whatsapp-seguranca[.]net/verificar"},
        {"id": "b", "text": "Bom dia, reunião às 15h"},
    ]) + "\n"
    manifest = tmp_path / "m.json"
    result = runner.invoke(app, ["analyze", "-", "--json", "--workers", "1", "-d", "links",
                                 "--manifest", str(manifest)], input=lines)
    assert result.exit_code == 0, result.stderr
    findings = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(f["message_id"], f["label"]) for f in findings] == [("a", "link.lookalike")]
    man = json.loads(manifest.read_text())
    assert len(man["inputs"]["stdin"]) == 64 and man["messages"] == 2
    assert man["detectors"][0]["name"] == "links"


def test_analyze_rejects_bad_stdin(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "-", "--workers", "1", "--manifest",
                                 str(tmp_path / "m.json")], input='{"id": 1}\n')
    assert result.exit_code == 2
    assert "<stdin>, line 1" in result.stderr


def test_analyze_defender_and_list_findings(cli_env: Path, tmp_path: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "D", "--country", "BR")
    amparo("defender", "watch", "D", "phone", "(91) 98765-4321")
    feed = tmp_path / "campaign.txt"
    feed.write_text("evil-campaign-domain.com\nanother-bad.org\n", encoding="utf-8")
    out = amparo("iocs", "import", str(feed), "--name", "test campaign", "--publisher", "Lab")
    assert "collection 'test campaign'" in out and "2 domains" in out
    assert "test campaign" in amparo("iocs", "list")
    data = tmp_path / "m.jsonl"
    data.write_text(
        json.dumps({"id": "1", "text": "liga pra ela: 91 98765 4321"}) + "\n"
        + json.dumps({"id": "2", "text": "baixa aqui http://evil-campaign-domain.com/app"})
        + "\n", encoding="utf-8")
    amparo("import", str(data), "--defender", "D")
    amparo("analyze", "--defender", "D", "--workers", "1", "-d", "links", "-d", "doxing")
    found = [json.loads(x) for x in amparo("findings", "list", "--json").splitlines()]
    labels = {f["label"]: f for f in found}
    assert labels["doxing.watchlist"]["severity"] == "critical"
    assert "test campaign" in labels["link.ioc"]["explanation"]
    only = amparo("findings", "list", "--label", "link", "--json").splitlines()
    assert {json.loads(x)["label"] for x in only} == {"link.ioc"}
    log = [json.loads(x)["action"] for x in amparo("custody", "list", "--json").splitlines()]
    assert "indicators.import" in log


def test_analyze_a_mixed_folder_reads_every_export(tmp_path: Path) -> None:
    """As `import` does, `analyze FOLDER` reads each export in a mixed folder in its own
    format (it used to read the whole folder as one format and miss the rest)."""
    from amparo.analysis_input import file_items
    from amparo.ingest import read_path
    from amparo.ingest.base import ImportOptions
    from tests.ingest.helpers import MIXED, mixed_folder

    folder = mixed_folder(tmp_path)
    expected = 0
    for name in MIXED:
        with read_path(folder / name) as (_cls, _source, stream):
            expected += sum(1 for m in stream if getattr(m, "kind", None) is not None
                            and m.kind.value == "user")
    items = list(file_items(folder, "auto", ImportOptions()))
    assert len(items) == expected and expected > 4
    assert len({i.id for i in items}) == len(items)  # ids stay distinct across the exports


def test_findings_triage_and_list_by_status(cli_env: Path) -> None:  # noqa: F811
    from tests.inbox_data import POSTS

    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "D", "--country", "BR")
    amparo("import", str(POSTS), "--defender", "D")
    amparo("analyze", "--defender", "D", "--workers", "1", "-d", "threats", "-d", "doxing",
           "-d", "links")
    found = {json.loads(x)["label"]: json.loads(x)
             for x in amparo("findings", "list", "--json").splitlines()}
    assert {f["status"] for f in found.values()} == {"new"}
    death, phone = found["threat.death"]["id"], found["doxing.phone"]["id"]
    out = amparo("findings", "triage", str(death), "--escalate", "--reason",
                 "death threat with her street")
    assert f"finding {death}: new → escalated" in out
    amparo("findings", "triage", str(phone), "--dismiss", "--reason", "helpline number")
    escalated = [json.loads(x) for x in amparo("findings", "list", "--status", "escalated",
                                               "--json").splitlines()]
    assert [f["id"] for f in escalated] == [death]
    new = {json.loads(x)["label"] for x in amparo("findings", "list", "--status", "new",
                                                   "--json").splitlines()}
    assert new == {"threat.violence", "doxing.address", "link.lookalike"}
    table = amparo("findings", "list", "--status", "dismissed")
    assert "dismis" in table and "doxing" in table
    # Re-analysis keeps the decisions.
    amparo("analyze", "--defender", "D", "--workers", "1", "-d", "threats", "-d", "doxing",
           "-d", "links")
    again = {json.loads(x)["label"]: json.loads(x)["status"]
             for x in amparo("findings", "list", "--json").splitlines()}
    assert again["threat.death"] == "escalated" and again["doxing.phone"] == "dismissed"
    log = [json.loads(x) for x in amparo("custody", "list", "--json").splitlines()]
    triaged = [e for e in log if e["action"] == "finding.triage"]
    assert [(e["actor"], e["reason"]) for e in triaged] == [
        ("caseworker-1", "death threat with her street"), ("caseworker-1", "helpline number")]


def test_findings_triage_refusals(cli_env: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    result = runner.invoke(app, ["findings", "triage", "1", "--reason", "x"])
    assert result.exit_code != 0 and "exactly one of --confirm" in result.stderr
    result = runner.invoke(app, ["findings", "triage", "1", "--confirm", "--dismiss",
                                 "--reason", "x"])
    assert result.exit_code != 0 and "exactly one of" in result.stderr
    result = runner.invoke(app, ["findings", "triage", "1", "--confirm"])
    assert result.exit_code != 0 and "reason" in result.stderr
    result = runner.invoke(app, ["findings", "triage", "7", "--confirm", "--reason", "x"])
    assert result.exit_code != 0 and "no finding with id 7" in result.stderr
    result = runner.invoke(app, ["findings", "list", "--status", "maybe"])
    assert result.exit_code == 2
