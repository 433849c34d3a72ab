"""Building one WhatsApp message from its header and lines: author or system event,
attachments, deleted and edited notices."""

from __future__ import annotations

import mimetypes
import re
from datetime import datetime
from typing import Any

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
)
from amparo.ingest.sources import Source
from amparo.ingest.whatsapp.patterns import (
    _DELETED,
    _EDITED,
    _KIND_NAMES,
    _MARKS,
    _MAX_AUTHOR_LEN,
    _MEDIA,
    _MEDIA_TAILS,
    _PHONE,
    _SYSTEM_IN_NAME,
    _system_event,
)


class Context:
    """What building a message needs besides its own lines; one per chat member."""

    __slots__ = ("assumed", "authors", "media", "member", "source", "title")

    def __init__(
        self,
        member: str,
        title: str,
        assumed: bool,
        authors: dict[str, ParsedAccount | None],
        media: dict[str, str],
        source: Source,
    ) -> None:
        self.member = member
        self.title = title
        self.assumed = assumed
        self.authors = authors
        self.media = media
        self.source = source

    def author(self, raw: str, ios: bool) -> ParsedAccount | None:
        """The account for a raw name, or None when the "name" is really a system event."""
        try:
            return self.authors[raw]
        except KeyError:
            pass
        account: ParsedAccount | None
        if not ios and (len(raw) > _MAX_AUTHOR_LEN or _SYSTEM_IN_NAME.search(raw)):
            account = None
        else:
            name = (
                raw.strip(_MARKS + " ")
                .replace("\u00a0", " ")
                .replace("\u202f", " ")
                .replace("\u2011", "-")
            )
            for mark in _MARKS:
                if mark in name:
                    name = name.replace(mark, "")
            if _PHONE.fullmatch(name) and sum(ch.isdigit() for ch in name) >= 7:
                handle = "+" * name.startswith("+") + "".join(ch for ch in name if ch.isdigit())
                account = ParsedAccount(Platform.WHATSAPP, name, handle=handle)
            else:
                account = ParsedAccount(Platform.WHATSAPP, name, display_name=name)
        self.authors[raw] = account
        return account

    def attachment(self, name: str) -> tuple[Attachment, bool]:
        """An attachment the export included, linked to its member when the source has it;
        the flag says whether it was found."""
        name = name.strip(_MARKS + " ")
        member = self.media.get(name)
        mime = mimetypes.guess_type(name)[0]
        if member is None:
            return Attachment(name=name, mime_type=mime), False
        return Attachment(
            name=name, mime_type=mime, member=member, size=self.source.size(member)
        ), True

    def build(
        self,
        start: int,
        ts: datetime | None,
        rest: str,
        ios: bool,
        more: list[str] | None,
    ) -> ParsedMessage:
        if more is not None:
            while more and not more[-1].strip():
                more.pop()  # blank lines before the next header belong to no one
        end = start + len(more) if more else start
        extra: dict[str, Any] = {"date_order_assumed": True} if self.assumed else {}
        kind = MessageKind.USER
        author: ParsedAccount | None = None
        attachments: tuple[Attachment, ...] = ()
        i = rest.find(": ")
        if i > 0:
            author = self.author(rest[:i], ios)
            text = rest[i + 2 :] if author is not None else rest
        else:
            text = rest
        if author is None:
            kind = MessageKind.SYSTEM
            text = text.lstrip(_MARKS)
            extra["event"] = _system_event(text) or "other"
        else:
            marked = False
            if text and text[0] in _MARKS:
                text = text.lstrip(_MARKS)
                marked = True
            if text.endswith(_MEDIA_TAILS):
                mm = _MEDIA.fullmatch(text)
                if mm is not None:
                    attachments = (self._media(mm, extra),)
                    text = ""
            if marked and not attachments:
                event = _system_event(text)
                if event is not None:  # iOS credits events to the chat or to the actor
                    kind = MessageKind.SYSTEM
                    extra["event"] = event
                    extra["shown_as"] = author.key
                    author = None
            if kind is MessageKind.USER:
                if more is None and text in _DELETED:
                    extra["deleted"] = True
                    extra["notice"] = text
                    text = ""
                tail = more[-1] if more else text
                if tail.endswith(">"):
                    em = _EDITED.search(tail)
                    if em is not None:
                        extra["edited"] = True
                        if more:
                            more = [*more[:-1], tail[: em.start()]]
                        else:
                            text = tail[: em.start()]
                if more and attachments and not text:
                    text = "\n".join(more)  # the caption follows the attachment line
                    more = None
        if more:
            text = "\n".join([text, *more])
        return ParsedMessage(
            platform=Platform.WHATSAPP,
            timestamp=ts,
            text=text,
            locator=Locator(member=self.member, line_start=start, line_end=end),
            author=author,
            kind=kind,
            conversation_key=self.title,
            conversation_title=self.title,
            attachments=attachments,
            extra=extra,
        )

    def _media(self, mm: re.Match[str], extra: dict[str, Any]) -> Attachment:
        name = mm.group("attached") or mm.group("file")
        if name is not None:
            attachment, found = self.attachment(name)
            if not found:
                extra.setdefault("attachments_missing", []).append(attachment.name)
            return attachment
        kind = mm.group("kind")
        if kind is not None:
            extra["media_kind"] = _KIND_NAMES.get(kind.lower(), kind.lower())
        doc = mm.group("doc")
        name = doc.strip(_MARKS + " ") if doc else None
        return Attachment(
            name=name, mime_type=mimetypes.guess_type(name)[0] if name else None, omitted=True
        )
