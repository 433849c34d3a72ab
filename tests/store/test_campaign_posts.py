"""The posts that campaign detection reads from the workspace: one account per (platform, key)."""

from __future__ import annotations

from pathlib import Path

from amparo.store.campaigns import _stored_posts
from amparo.store.importing import import_paths
from amparo.store.workspace import Workspace

CHAT = """\
12/03/2024, 10:00 - Ana Souza: bom dia
12/03/2024, 10:01 - Bruno: oi Ana
"""
CSV = "id,author,text,created_at\n1,Ana Souza,another Ana entirely,2024-03-12T10:05:00Z\n"


def test_same_name_on_two_platforms_is_two_accounts(
    ws: Workspace, defender_id: int, tmp_path: Path
) -> None:
    chat = tmp_path / "WhatsApp Chat with Ana.txt"
    chat.write_text(CHAT, encoding="utf-8")
    posts_csv = tmp_path / "posts.csv"
    posts_csv.write_text(CSV, encoding="utf-8")
    import_paths(ws, defender_id, [chat, posts_csv])
    with ws.session() as s:
        by_text = {p.text: p.account_id for p in _stored_posts(s, defender_id)}
    assert by_text["another Ana entirely"] != by_text["bom dia"]
    assert by_text["bom dia"].endswith(":Ana Souza")
    assert len({by_text["bom dia"], by_text["oi Ana"], by_text["another Ana entirely"]}) == 3
