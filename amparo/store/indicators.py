"""Indicator collections kept in the workspace (`$AMPARO_HOME/indicators/`), which the links
detector reads on every analysis. Each import is written in the custody log with the file's
SHA-256, so a finding can be traced to the exact feed that produced it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amparo.detect.indicators import load_collections, load_indicator_file, save_collection
from amparo.digest import sha256_file
from amparo.store import custody
from amparo.store.workspace import Workspace


def indicators_dir(ws: Workspace) -> Path:
    return ws.home / "indicators"


def import_indicators(
    ws: Workspace, path: Path, *, name: str | None = None, publisher: str = "",
    strict: bool = False,
) -> dict[str, Any]:
    collection = load_indicator_file(path, name=name, publisher=publisher, strict=strict)
    digest = sha256_file(path) if path.exists() else ""
    with ws.write_lock():
        with ws.session() as s:
            custody.append(
                s, actor=ws.settings.actor, action="indicators.import",
                object_type="indicators", object_id=collection.name,
                details={"file": path.name, "sha256": digest, "counts": collection.counts(),
                         "skipped": len(collection.skipped)},
            )
            saved = save_collection(collection, indicators_dir(ws))
        ws.after_commit()
    return {"name": collection.name, "file": str(saved), "counts": collection.counts(),
            "skipped": collection.skipped}


def list_indicator_collections(ws: Workspace) -> list[dict[str, Any]]:
    return [{"name": c.name, "origin": c.origin, "counts": c.counts()}
            for c in load_collections(indicators_dir(ws))]
