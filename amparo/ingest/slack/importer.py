"""The Slack importer: recognising an export and reading its workspaces' day files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from amparo.domain import (
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.slack.layout import (
    _CONVERSATION_FILES,
    META_FILES,
    _day_files,
    _looks_like_day,
    _looks_like_meta,
    _roots,
)
from amparo.ingest.slack.workspace import _Workspace
from amparo.ingest.sources import Source
from amparo.ingest.textio import head_text


class SlackImporter(Importer):
    name: ClassVar[str] = "slack"
    platform: ClassVar[Platform] = Platform.SLACK
    description: ClassVar[str] = "Slack workspace export (zip or folder of daily JSON files)"

    @classmethod
    def sniff(cls, source: Source) -> float:
        days = _day_files(source)
        day_ok = any(_looks_like_day(head_text(source, m)) for m, _, _ in days[:3])
        if days and not day_ok:
            return 0.0
        for root, names in _roots(source).items():
            prefix = f"{root}/" if root else ""
            metas = [n for n in META_FILES if n in names]
            if not all(_looks_like_meta(head_text(source, prefix + n), n) for n in metas[:3]):
                continue
            if day_ok and names & set(_CONVERSATION_FILES):
                return 0.95
            if names >= {"users.json", "channels.json"}:
                return 0.9  # a workspace export whose channels are all empty
        return 0.8 if day_ok else 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        days = _day_files(source)
        roots = _roots(source)
        if not days and not roots:
            raise ImportRejected(
                source.name, "not a Slack export: no users.json, channels.json or day files"
            )
        workspaces: dict[str, _Workspace] = {}
        for root in sorted(roots):
            workspaces[root] = _Workspace.load(source, root, roots[root])
        members = set(source.members())
        for member, root, conv in days:
            ws = workspaces.get(root)
            if ws is None:
                ws = workspaces[root] = _Workspace()
            yield from ws.day(source, member, conv, members)
