"""Accounts are shown by what a person can read (handle, else name), keyed by their stable
platform id: Telegram senders read as names, not ``user123`` ids."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from amparo.store.identities import account_label
from amparo.store.importing import import_paths
from amparo.store.messages import MessageFilter, get_message, list_messages
from amparo.store.tables import Account
from amparo.store.workspace import Workspace
from tests.ingest.helpers import FIXTURES

TELEGRAM = FIXTURES / "telegram"


@pytest.mark.parametrize(
    ("handle", "names", "key", "label"),
    [
        ("@marina_xinguvivo", '["Marina Costa"]', "1402938475610293847", "@marina_xinguvivo"),
        (None, '["Camilo Rengifo"]', "user5123456789", "Camilo Rengifo"),
        (None, ["Camilo R.", "Camilo Rengifo"], "user5123456789", "Camilo R. / Camilo Rengifo"),
        (None, "[]", "user777888999", "user777888999"),  # a deleted account: only its id
        (None, '["A", "B", "C", "D", "E"]', "user1", "A / B / C (+2 more)"),
    ],
)
def test_account_label(
    handle: str | None, names: str | list[str], key: str, label: str
) -> None:
    assert account_label(handle, names, key) == label


def test_telegram_authors_read_as_names_keyed_by_id(ws: Workspace, defender_id: int) -> None:
    import_paths(ws, defender_id, [TELEGRAM / "result.json", TELEGRAM / "full_account"])
    with ws.session() as s:
        rows = list_messages(s, MessageFilter(defender_id=defender_id, limit=500))
        accounts = s.execute(
            select(Account.key, Account.display_names).where(Account.platform == "telegram")
        ).all()
    authors = Counter((r["author"], r["author_key"]) for r in rows if r["author"])
    assert authors == {
        ("Ruído Patriota", "user555000111"): 9,  # one of his has no date: a record error
        ("Lucía Mendoza", "user100200300"): 6,
        ("Ana Souza", "user200300400"): 2,
        ("Karim Benali", "user300400500"): 2,
        ("Verdade Nua", "channel1700800900"): 2,
        # A deleted account: its messages keep the id, the only thing left of it.
        ("user777888999", "user777888999"): 1,
        # An old export without from_id: the name is all there is, and is the key.
        ("Anónimo", "Anónimo"): 1,
    }
    # Service messages are the actor's: "Lucía Mendoza created the group", not an id.
    service = [r for r in rows if r["kind"] == "system" and r["author_key"] == "user100200300"]
    assert service and all(r["author"] == "Lucía Mendoza" for r in service)
    # One account per id, whichever export (single chat, full account) it came from.
    keys = [k for k, _ in accounts]
    assert len(keys) == len(set(keys))
    with ws.session() as s:
        shown = get_message(s, rows[0]["id"])
    assert shown is not None and shown["author"] == rows[0]["author"]


def test_the_inbox_and_message_page_name_authors_as_messages_list_does(
    ws: Workspace, defender_id: int
) -> None:
    """The web's readers (findings inbox, message in context) show the same readable author
    as `messages list`: a Telegram sender's name, not their ``user123`` id."""
    from amparo import triage
    from amparo.message_view import message_view
    from amparo.store.analysis import analyze_defender

    import_paths(ws, defender_id, [TELEGRAM / "result.json"])
    analyze_defender(ws, defender_id, names=["threats", "abuse", "doxing", "links"], workers=1)
    with ws.session() as s:
        shown = {r["id"]: r["author"]
                 for r in list_messages(s, MessageFilter(defender_id=defender_id, limit=500))}
        rows = triage.inbox(s, triage.InboxFilter(), per_page=500).rows
        assert rows, "the fixture's threats and insults give findings"
        assert {r.author for r in rows} <= set(shown.values())
        assert all(r.author == shown[r.message_id] for r in rows)
        view = message_view(s, rows[0].message_id)
    lines = [view.message, *view.before, *view.after]
    assert all(line.author == shown[line.id] for line in lines)
