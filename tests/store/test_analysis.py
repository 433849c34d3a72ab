"""Analysing stored messages: findings and languages stored, re-runs replace, deletion cleans."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from amparo.detect.base import Severity
from amparo.store.analysis import analyze_defender, list_findings
from amparo.store.defenders import add_watch_entry
from amparo.store.evidence import delete_evidence
from amparo.store.importing import import_paths
from amparo.store.tables import Defender, FindingRow, Message
from amparo.store.workspace import Workspace

ROWS = [
    ("1", "sabemos que você mora na Travessa das Mangueiras 214, Belém"),
    ("2", "entra aqui pra verificar tua conta: http://whatsapp-seguranca.net/login"),
    ("3", "Bom dia a todos, reunião às 15h na sede da associação"),
]


def seed(ws: Workspace, defender_id: int, tmp_path: Path) -> Path:
    with ws.session() as s:
        d = s.get(Defender, defender_id)
        assert d is not None
        add_watch_entry(s, ws.key, d, "address", "Travessa das Mangueiras 214", actor="t")
    p = tmp_path / "posts.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in ROWS),
                 encoding="utf-8")
    import_paths(ws, defender_id, [p])
    return p


def test_analysis_stores_findings_and_languages(ws: Workspace, defender_id: int,
                                                tmp_path: Path) -> None:
    seed(ws, defender_id, tmp_path)
    run = analyze_defender(ws, defender_id, names=["doxing", "links"], workers=1)
    assert run.messages == 3 and run.findings >= 2
    manifest = json.loads(run.manifest)
    assert [d["name"] for d in manifest["detectors"]] == ["doxing", "links"]
    assert all(len(v) == 64 for v in manifest["inputs"].values())
    with ws.session() as s:
        found = list_findings(s, defender_id=defender_id)
        langs = dict(s.execute(select(Message.source_id, Message.language)).all())
    by_label = {f["label"]: f for f in found}
    assert by_label["doxing.watchlist"]["severity"] == "critical"
    assert "Mangueiras" not in by_label["doxing.watchlist"]["explanation"]
    assert "whatsapp-seguranca.net" in by_label["link.lookalike"]["spans"][0]["text"]
    assert found[0]["severity"] == "critical"  # most severe first
    assert langs == {"1": "pt", "2": "pt", "3": "pt"}
    with ws.session() as s:
        only = list_findings(s, label="doxing", min_severity=Severity.HIGH)
    assert {f["label"] for f in only} <= {"doxing.watchlist", "doxing.address"}


def test_rerun_replaces_and_deletion_cleans(ws: Workspace, defender_id: int,
                                            tmp_path: Path) -> None:
    seed(ws, defender_id, tmp_path)
    first = analyze_defender(ws, defender_id, names=["links"], workers=1)
    second = analyze_defender(ws, defender_id, names=["links"], workers=1)
    with ws.session() as s:
        runs = set(s.execute(select(FindingRow.run_id)).scalars())
        item = s.execute(select(Message.evidence_item_id)).scalars().first()
    assert runs == {second.id} and first.id != second.id
    assert item is not None
    delete_evidence(ws, item, reason="test")
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(FindingRow)) == 0
