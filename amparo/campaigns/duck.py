"""DuckDB connections for campaign detection."""

from __future__ import annotations

from typing import Any

import duckdb


def quiet_connect(database: str = ":memory:", config: dict[str, Any] | None = None
                  ) -> duckdb.DuckDBPyConnection:
    """A connection that never draws progress bars: they go to stdout, where they would break
    `--json` output and can fill a parent's pipe."""
    con = duckdb.connect(database, config=config or {})
    con.execute("set enable_progress_bar = false")
    return con
