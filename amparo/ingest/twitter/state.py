"""What one parse of an X/Twitter archive learns and shares: reading data files, the archive
owner, the user-id to handle map, and media files beside the data."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Any

from amparo.domain import (
    Attachment,
    ParsedAccount,
)
from amparo.ingest.base import ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import as_dict, opt_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import decode_whole, load_json
from amparo.ingest.twitter.files import (
    _MANIFEST_RE,
    _MEDIA_DIRS,
    PLATFORM,
)


class ArchiveState:
    """State of one parse: the archive owner and the user-id → handle map learned so far."""

    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.members = source.members()
        self.member_set = set(self.members)
        self.owner: ParsedAccount | None = None
        self.handles: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def _read(self, member: str) -> str:
        label = self.source.label(member)
        size = self.source.size(member)
        limit = self.source.limits.max_json_bytes
        if size > limit:
            raise ImportRejected(
                label,
                f"{size} bytes is more than the {limit}-byte limit for JSON exports "
                "(set AMPARO_MAX_JSON_BYTES to raise it)",
            )
        with self.source.open(member) as fh:
            raw = fh.read()
        return decode_whole(raw, label, self.options.encoding)

    def _read_manifest(self, member: str) -> None:
        text = self._read(member)
        m = _MANIFEST_RE.match(text)
        if not m:
            return
        body = text[m.end() :].rstrip().rstrip(";")
        try:
            data = load_json(self.source, member, text=body)
        except ImportRejected:
            return  # the manifest only helps name the owner; account.js is authoritative
        info = as_dict(as_dict(data).get("userInfo"))
        key = opt_str(info.get("accountId"))
        if key and self.owner is None:
            handle = opt_str(info.get("userName"))
            self._set_owner(key, handle, opt_str(info.get("displayName")))

    # ---- accounts ----------------------------------------------------------------------

    def _read_account(self, data: list[Any]) -> None:
        for item in data:
            acc = as_dict(as_dict(item).get("account"))
            key = opt_str(acc.get("accountId"))
            if key:
                self._set_owner(
                    key, opt_str(acc.get("username")), opt_str(acc.get("accountDisplayName"))
                )
                return

    def _set_owner(self, key: str, username: str | None, display: str | None) -> None:
        handle = f"@{username.lstrip('@')}" if username else None
        self.owner = ParsedAccount(PLATFORM, key, handle=handle, display_name=display)
        if handle:
            self.handles[key] = handle
        if display:
            self.names[key] = display

    def _account(self, user_id: str | None) -> ParsedAccount | None:
        if not user_id:
            return None
        if self.owner is not None and self.owner.key == user_id:
            return self.owner
        return ParsedAccount(
            PLATFORM, user_id, handle=self.handles.get(user_id),
            display_name=self.names.get(user_id),
        )

    def _learn(self, user_id: str | None, screen_name: str | None, name: str | None) -> None:
        if user_id and screen_name:
            self.handles.setdefault(user_id, f"@{screen_name.lstrip('@')}")
        if user_id and name:
            self.names.setdefault(user_id, name)

    def _who(self, user_id: str) -> str:
        return self.handles.get(user_id) or user_id

    def _attachment(
        self, member: str, kind: str, msg_id: str | None, names: list[str], url: str | None
    ) -> Attachment:
        """The media file beside the data file (`<dir>/tweets_media/<id>-<name>`) when the
        archive holds it; otherwise an attachment marked as omitted."""
        parent = PurePosixPath(member).parent
        if msg_id:
            for folder in _MEDIA_DIRS[kind]:
                for name in names:
                    cand = (parent / folder / f"{msg_id}-{name}").as_posix()
                    if cand in self.member_set:
                        return Attachment(
                            name=PurePosixPath(cand).name,
                            mime_type=mimetypes.guess_type(cand)[0],
                            size=self.source.size(cand),
                            member=cand,
                        )
        shown: str | None = names[0] if names else (PurePosixPath(url).name if url else None)
        return Attachment(
            name=shown, mime_type=mimetypes.guess_type(shown or "")[0], omitted=True
        )
