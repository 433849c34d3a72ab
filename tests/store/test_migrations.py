"""The Alembic migrations build exactly the schema the table mappings describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from amparo.store.db import schema_is_current, upgrade
from amparo.store.tables import Base
from amparo.store.workspace import Workspace


def test_migrations_match_the_mappings(ws: Workspace) -> None:
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(ws: Workspace) -> None:
    assert schema_is_current(ws.engine)
    upgrade(ws.engine)
    assert schema_is_current(ws.engine)
