"""The one place that knows SQLite and PostgreSQL spell "insert unless it exists" apart."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Dialect, Insert, Table
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


def insert_ignoring_conflicts_sql(dialect: Dialect, mapped: type[Base], columns: Sequence[str],
                                  unique: Sequence[str]) -> str:
    """The same statement as driver SQL taking one tuple of `columns` per row, for bulk
    inserts that bypass SQLAlchemy's per-row parameter processing (values must already be in
    the driver's form). SQLite (3.24+) and PostgreSQL share the ON CONFLICT spelling."""
    table = mapped.__table__
    assert isinstance(table, Table)
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
    quote = dialect.identifier_preparer.quote
    # Names come from the table mapping, quoted; values are bound by the driver.
    names = ", ".join(quote(c) for c in columns)
    return (f"INSERT INTO {quote(table.name)} ({names}) "  # noqa: S608
            f"VALUES ({', '.join(marker for _ in columns)}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING")
