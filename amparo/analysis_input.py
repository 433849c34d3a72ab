"""Texts to analyse without a workspace: any importable file, or JSON lines on standard input
(`{"id": ..., "text": ...}`), each streamed with the SHA-256 of what was read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from amparo.detect.base import TextItem
from amparo.domain import MessageKind, ParsedMessage
from amparo.ingest import ImportOptions, ImportRejected, SourceLimits
from amparo.ingest.folders import plan_path, read_unit, with_skipped_parts


class HashingLines:
    """Iterate over binary lines while hashing them, so the manifest can name the input."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for line in self.stream:
            self.digest.update(line)
            yield line


def jsonl_items(lines: HashingLines, label: str = "<stdin>") -> Iterator[TextItem]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
            text = obj["text"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ImportRejected(label, f"expected a JSON object with 'text' ({exc})",
                                 where=f"line {number}") from exc
        if not isinstance(text, str):
            raise ImportRejected(label, "'text' must be a string", where=f"line {number}")
        yield TextItem(str(obj.get("id", number)), text)


def file_items(path: Path, fmt: str = "auto",
               options: ImportOptions | None = None) -> Iterator[TextItem]:
    """Messages people wrote in any importable file, zip or folder; a folder of several exports
    is read export by export, each in its own format, as `import` reads it. Ids are platform
    ids or locators, prefixed with the export's name when there are several."""
    options = options or ImportOptions()
    limits = SourceLimits()
    units = plan_path(path, fmt, limits).units
    for unit in units:
        prefix = f"{unit.name}:" if len(units) > 1 else ""
        with read_unit(unit, options, limits) as (importer, _source, stream):
            for item in with_skipped_parts(unit, importer, stream, options, limits):
                if isinstance(item, ParsedMessage) and item.kind is MessageKind.USER:
                    yield TextItem(prefix + (item.source_id or str(item.locator)), item.text)
