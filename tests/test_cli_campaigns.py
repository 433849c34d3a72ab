"""`amparo campaigns` end to end: from a file, and from a defender's stored messages."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import networkx as nx

from tests.test_cli import amparo, cli_env  # noqa: F401 - the fixture is used by name

PLANTED = [f"bot{i}" for i in range(5)]


def posts_csv(path: Path) -> None:
    """Background accounts sharing links at random; five bots sharing four links in lockstep."""
    rng = random.Random(4)
    rows = []
    for i in range(600):
        rows.append({"account_id": f"user{rng.randrange(200)}", "url_id": f"u{rng.randrange(400)}",
                     "timestamp": 1_700_000_000 + rng.randrange(86_400), "content_id": f"p{i}"})
    for k in range(4):
        start = 1_700_000_000 + 5_000 * k
        for j, bot in enumerate(PLANTED):
            rows.append({"account_id": bot, "url_id": f"campaign-link-{k}",
                         "timestamp": start + 3 * j, "content_id": f"b{k}-{j}"})
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["account_id", "url_id", "timestamp",
                                                "content_id"])
        writer.writeheader()
        writer.writerows(rows)


def test_detect_from_file_with_exports(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from amparo.cli import app

    data = tmp_path / "posts.csv"
    posts_csv(data)
    graphml, gexf, timeline = tmp_path / "g.graphml", tmp_path / "g.gexf", tmp_path / "t.json"
    result = CliRunner().invoke(app, ["campaigns", "detect", str(data), "--json", "--graphml",
                                      str(graphml), "--gexf", str(gexf), "--timeline",
                                      str(timeline)])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["campaigns"]
    assert [c["accounts"] for c in found] == [PLANTED]
    assert "co_link" in found[0]["signals"] and found[0]["score"] > 0.5
    assert "5 accounts acted together" in found[0]["explanation"]
    graph = nx.read_graphml(graphml)
    assert sorted(graph.nodes) == PLANTED and graph.number_of_edges() == 10
    assert nx.read_gexf(gexf).number_of_nodes() == 5
    bins = json.loads(timeline.read_text())[0]["bins"]
    assert sum(b["posts"] for b in bins) == 20


def test_bad_input_names_the_column(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from amparo.cli import app

    data = tmp_path / "x.csv"
    data.write_text("user,when,link\na,1,b\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["campaigns", "detect", str(data)])
    assert result.exit_code == 2
    assert "x.csv: no account_id column" in result.stderr
    ok = CliRunner().invoke(app, ["campaigns", "detect", str(data), "--json", "--map",
                                  "account_id=user", "--map", "timestamp=when", "--map",
                                  "url_id=link"])
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["campaigns"] == []


def test_detect_in_workspace_links_messages(cli_env: Path, tmp_path: Path) -> None:  # noqa: F811
    amparo("init", "--insecure-demo-key")
    amparo("defender", "add", "D")
    lines = []
    text = "Marina Costa é paga por ONG estrangeira, ladra de terras, fora daqui {n} {link}"
    for k in range(3):
        for j, bot in enumerate(PLANTED):
            lines.append({"id": f"{k}-{j}", "author": bot, "text": text.format(
                n="!" * (j % 2), link=f"https://smear.example/{k}"),
                "timestamp": f"2026-03-0{k + 1}T10:00:{10 + 2 * j:02d}Z"})
    for i in range(30):
        lines.append({"id": f"bg{i}", "author": f"person{i}", "timestamp":
                      f"2026-03-0{i % 3 + 1}T{i % 24:02d}:30:00Z",
                      "text": f"Bom dia, reunião número {i} sobre o território"})
    data = tmp_path / "m.jsonl"
    data.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    amparo("import", str(data), "--defender", "D")
    amparo("analyze", "--defender", "D", "--workers", "1", "-d", "links")
    gexf = tmp_path / "net.gexf"
    amparo("campaigns", "detect", "--defender", "D", "--gexf", str(gexf))
    # Workspace accounts are named by platform and key (one name on two platforms is two).
    planted = [f"generic:{bot}" for bot in PLANTED]
    assert sorted(nx.read_gexf(gexf).nodes) == planted
    listed = json.loads(amparo("campaigns", "list", "--json"))["campaigns"]
    assert [c["accounts"] for c in listed] == [planted]
    assert set(listed[0]["signals"]) >= {"co_link", "near_duplicate"}
    shown = json.loads(amparo("campaigns", "show", str(listed[0]["id"]), "--json"))
    assert len(shown["messages"]) == 15
    assert all("ONG estrangeira" in m["text"] for m in shown["messages"])
    # Running again replaces the stored campaigns instead of adding to them.
    amparo("campaigns", "detect", "--defender", "D")
    assert len(json.loads(amparo("campaigns", "list", "--json"))["campaigns"]) == 1
