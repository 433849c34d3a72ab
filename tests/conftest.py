"""Shared fixtures: a real workspace on SQLite and on PostgreSQL.

PostgreSQL tests use a fresh schema per test on the server at 127.0.0.1:5432 (database `test`).
Without a server they skip with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from amparo.config import Settings
from amparo.store.workspace import Workspace

PG_URL = os.environ.get("AMPARO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FAST_KDF = {"kdf_memory_kib": 8 * 1024, "kdf_time_cost": 1}


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"PostgreSQL at {PG_URL} is not reachable: {exc.__class__.__name__}"
    return None


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_available())
    return _PG_PROBLEM[0]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections use a fresh, private schema; dropped afterwards."""
    problem = pg_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem} (required under CI)")
        pytest.skip(problem)
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    return Settings(home=tmp_path / "ws", database_url=url, actor="tester", **FAST_KDF)


@pytest.fixture
def ws(settings: Settings) -> Iterator[Workspace]:
    w = Workspace.create(settings, key_mode="insecure-demo")
    yield w
    w.close()


@pytest.fixture
def defender_id(ws: Workspace) -> int:
    from amparo.store.defenders import add_defender

    with ws.session() as s:
        d = add_defender(s, "Defensora A", actor="tester", country="BR",
                         languages=["pt"], timezone="America/Sao_Paulo")
        return d.id
