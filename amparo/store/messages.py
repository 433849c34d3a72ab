"""Reading stored messages back: listing, one message in full, and its original context."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, aliased

from amparo.domain import Locator
from amparo.errors import NotFound
from amparo.ingest.textio import read_lines
from amparo.store import custody
from amparo.store.identities import account_label
from amparo.store.tables import Account, Conversation, EvidenceItem, Message
from amparo.store.vault import open_plaintext
from amparo.store.workspace import Workspace


@dataclass(frozen=True)
class MessageFilter:
    defender_id: int | None = None
    kind: str | None = None
    platform: str | None = None
    contains: str | None = None
    evidence_item_id: int | None = None
    limit: int = 50
    offset: int = 0


def _query(f: MessageFilter) -> Select[Message, Account, Conversation]:
    author = aliased(Account)
    q = (
        select(Message, author, Conversation)
        .outerjoin(author, Message.author_id == author.id)
        .outerjoin(Conversation, Message.conversation_id == Conversation.id)
    )
    if f.defender_id is not None:
        q = q.where(Message.defender_id == f.defender_id)
    if f.kind:
        q = q.where(Message.kind == f.kind)
    if f.platform:
        q = q.where(Message.platform == f.platform)
    if f.evidence_item_id is not None:
        q = q.where(Message.evidence_item_id == f.evidence_item_id)
    if f.contains:
        q = q.where(Message.text.contains(f.contains, autoescape=True))
    return q.order_by(Message.ts_utc, Message.id)


def message_dict(m: Message, author: Account | None, conv: Conversation | None) -> dict[str, Any]:
    return {
        "id": m.id,
        "defender_id": m.defender_id,
        "platform": m.platform,
        "kind": m.kind,
        "source_id": m.source_id,
        "timestamp_utc": m.ts_utc.isoformat() if m.ts_utc else None,
        "utc_offset_minutes": m.utc_offset_min,
        "time_zone_assumed": m.tz_assumed,
        "author": account_label(author.handle, author.display_names, author.key)
        if author else None,
        "author_key": author.key if author else None,
        "author_names": json.loads(author.display_names) if author else [],
        "conversation": (conv.title or conv.key) if conv else None,
        "text": m.text,
        "reply_to": m.reply_to,
        "forwarded_from": m.forwarded_from,
        "attachments": json.loads(m.attachments) if m.attachments else [],
        "evidence_item_id": m.evidence_item_id,
        "locator": json.loads(m.locator),
        "extra": json.loads(m.extra) if m.extra else {},
    }


def list_messages(s: Session, f: MessageFilter) -> list[dict[str, Any]]:
    rows = s.execute(_query(f).limit(f.limit).offset(f.offset)).all()
    return [message_dict(m, a, c) for m, a, c in rows]


def count_messages(s: Session, f: MessageFilter) -> int:
    """How many messages match the filter, ignoring its limit and offset."""
    matching = _query(f).order_by(None).subquery()
    return s.scalar(select(func.count()).select_from(matching)) or 0


def iter_messages(s: Session, f: MessageFilter, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """All matching messages, streamed in pages (for exports)."""
    offset = 0
    while True:
        rows = s.execute(_query(f).limit(chunk).offset(offset)).all()
        if not rows:
            return
        for m, a, c in rows:
            yield message_dict(m, a, c)
        offset += chunk


def user_message_pages(s: Session, query: Select[*tuple[Any, ...]], defender_id: int,
                       page: int = 5000) -> Iterator[Row[*tuple[Any, ...]]]:
    """Rows of `query` (whose first column is Message.id) for the defender's user messages, in
    id order, read in keyset pages: memory stays flat on millions of rows."""
    last = 0
    while True:
        rows = s.execute(
            query.where(Message.defender_id == defender_id, Message.kind == "user",
                        Message.id > last).order_by(Message.id).limit(page)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def get_message(s: Session, message_id: int) -> dict[str, Any] | None:
    row = s.execute(_query(MessageFilter()).where(Message.id == message_id)).first()
    if row is None:
        return None
    msg = message_dict(*row)
    item = s.get(EvidenceItem, msg["evidence_item_id"])
    # The original's name and hash, to quote beside the message.
    msg["evidence_name"] = item.original_name if item else None
    msg["evidence_sha256"] = item.sha256 if item else None
    return msg


def original_context(ws: Workspace, message_id: int, *, reason: str = "") -> str:
    """The message's bytes as they stand in the original evidence, decrypted from the vault.
    Viewing an original is recorded in the custody log."""
    with ws.session() as s:
        m = s.get(Message, message_id)
        if m is None:
            raise NotFound(f"no message {message_id}")
        item = s.get(EvidenceItem, m.evidence_item_id)
        assert item is not None
        loc = Locator.from_dict(json.loads(m.locator))
        custody.append(s, actor=ws.settings.actor, action="evidence.view",
                       object_type="evidence", object_id=str(item.id), reason=reason,
                       details={"message": message_id, "locator": loc.to_dict()})
        sha = item.sha256
    ws.after_commit()
    head = next(ws.vault.open(sha), b"")[:4]
    if head == b"PK\x03\x04" and loc.member:
        # Archives need seeking: decrypt to a private temporary file, removed afterwards.
        with open_plaintext(ws.vault, sha, ws.home / "tmp") as plain, \
                zipfile.ZipFile(plain) as zf, zf.open(loc.member) as fh:
            return excerpt(fh, loc)
    return excerpt(ChunkReader(ws.vault.open(sha)), loc)


class ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (the vault's decrypted output)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            self._buf = next(self._chunks, b"")
            if not self._buf:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


MAX_EXCERPT = 1 << 20


def excerpt(stream: IO[bytes] | io.RawIOBase, loc: Locator) -> str:
    """The part of an original a locator points to, read as a stream (originals can be GBs)."""
    fh = io.BufferedReader(stream) if isinstance(stream, io.RawIOBase) else stream
    if loc.byte_start is not None and loc.byte_end is not None:
        remaining = loc.byte_start
        while remaining:
            skipped = len(fh.read(min(remaining, 1 << 20)))
            if not skipped:
                break
            remaining -= skipped
        size = min(loc.byte_end - loc.byte_start, MAX_EXCERPT)
        return fh.read(size).decode("utf-8", "replace")
    if loc.line_start is not None:
        # Lines counted exactly as the importers counted them (LF, CRLF or lone CR).
        end = loc.line_end or loc.line_start
        picked = []
        with closing(read_lines(fh, loc.member or "", errors="replace")) as lines:
            for number, text in lines:
                if number > end:
                    break
                if number >= loc.line_start:
                    picked.append(text)
        return "\n".join(picked).rstrip("\n")
    if loc.json_path:
        return _json_fragment(fh.read().decode("utf-8-sig", "replace"), loc.json_path)
    return fh.read(4000).decode("utf-8", "replace")


def _json_fragment(text: str, path: str) -> str:
    start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=0)
    node: Any = json.loads(text[start:])
    for name, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path.lstrip("$")):
        node = node[int(index)] if index else node[name]
    return json.dumps(node, ensure_ascii=False, indent=2)
