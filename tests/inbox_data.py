"""A defender's mentions with threats, doxing and a phishing link
(tests/fixtures/generic/mentions.jsonl), imported and analysed as `amparo import` and
`amparo analyze` do."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from amparo.store.analysis import analyze_defender
from amparo.store.importing import import_paths
from amparo.store.tables import FindingRow
from amparo.store.workspace import Workspace

POSTS = Path(__file__).parent / "fixtures" / "generic" / "mentions.jsonl"
DETECTORS = ["threats", "doxing", "links"]


def seed_inbox(ws: Workspace, defender_id: int) -> dict[str, int]:
    """Import and analyse the posts; the finding id of each label."""
    import_paths(ws, defender_id, [POSTS])
    analyze_defender(ws, defender_id, names=DETECTORS, workers=1)
    return finding_ids(ws)


def finding_ids(ws: Workspace) -> dict[str, int]:
    with ws.session() as s:
        return {label: fid for fid, label in s.execute(select(FindingRow.id, FindingRow.label))}
