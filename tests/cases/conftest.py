"""Case fixtures: a workspace with two defenders, their imported messages (and findings when
asked), and one staff user per role plus a second caseworker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from amparo.accounts import users
from amparo.accounts.roles import Role
from amparo.cases.service import Actor
from amparo.store.defenders import add_defender
from amparo.store.importing import import_paths
from amparo.store.tables import Message
from amparo.store.workspace import Workspace
from tests.web.conftest import add_user

# What a defender forwards to a helpline: a doxing threat, a phishing link, an ordinary post.
ROWS = [
    ("1", "sabemos que você mora na Travessa das Mangueiras 214, Belém"),
    ("2", "entra aqui pra verificar tua conta: http://whatsapp-seguranca.net/login"),
    ("3", "Bom dia a todos, reunião às 15h na sede da associação"),
]


@dataclass
class World:
    ws: Workspace
    defender_a: int
    defender_b: int
    messages_a: list[int]
    messages_b: list[int]

    def actor(self, username: str) -> Actor:
        with self.ws.session() as s:
            return Actor.of(users.get_user(s, username))


def _import(ws: Workspace, defender: int, path: Path, prefix: str) -> list[int]:
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": t}) + "\n"
                            for i, t in ROWS), encoding="utf-8")
    import_paths(ws, defender, [path])
    with ws.session() as s:
        from sqlalchemy import select
        return list(s.execute(select(Message.id).where(Message.defender_id == defender)
                              .order_by(Message.id)).scalars())


@pytest.fixture
def world(ws: Workspace, tmp_path: Path) -> World:
    with ws.session() as s:
        a = add_defender(s, "Defensora A", actor="tester", country="BR", languages=["pt"],
                         timezone="America/Sao_Paulo").id
        b = add_defender(s, "Defensor B", actor="tester", country="BR", languages=["pt"],
                         timezone="America/Sao_Paulo").id
    ws.after_commit()
    for role in Role:
        add_user(ws, f"{role.value}-1", role.value)
    add_user(ws, "caseworker-2", Role.CASEWORKER.value)
    return World(ws, a, b, _import(ws, a, tmp_path / "a.jsonl", "a"),
                 _import(ws, b, tmp_path / "b.jsonl", "b"))
