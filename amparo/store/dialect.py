"""The one place that knows SQLite and PostgreSQL spell "insert unless it exists" apart."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Insert, Table
from sqlalchemy.orm import Session

from amparo.store.tables import Base


def insert_ignoring_conflicts(session: Session, mapped: type[Base],
                              unique: Sequence[str]) -> Insert:
    """INSERT into `mapped`'s table that silently skips rows whose `unique` columns match an
    existing row."""
    table = mapped.__table__
    assert isinstance(table, Table)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=list(unique))
