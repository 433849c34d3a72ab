"""The whole state of a workspace, for tests that a failure (a refused import, a crash, a failed
re-read) left it exactly as it was: every row of every table, every file in the vault (staging
included) and in the private temporary folder, and the custody head file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from amparo.store.tables import Base
from amparo.store.workspace import Workspace


@dataclass(frozen=True)
class WorkspaceState:
    tables: dict[str, list[tuple[Any, ...]]]
    files: dict[str, str]  # path under the workspace -> SHA-256 of its bytes
    custody_head: str

    def rows(self, table: str) -> int:
        return len(self.tables[table])


def _files(home: Path, *folders: Path) -> dict[str, str]:
    found = {}
    for folder in folders:
        if not folder.exists():
            continue
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                found[p.relative_to(home).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def snapshot(ws: Workspace) -> WorkspaceState:
    tables = {}
    with ws.session() as s:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(r) for r in s.execute(select(table).order_by(*order))]
    head = ws.head_file.read_text() if ws.head_file.exists() else ""
    return WorkspaceState(tables, _files(ws.home, ws.vault.root, ws.home / "tmp"), head)
