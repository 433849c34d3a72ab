"""WhatsApp chat exports: the `.txt` from "Export chat", alone or in the `.zip` with media.

WhatsApp writes one line per message start, with a layout that depends on the phone:

- Android: `12/03/2024, 21:15 - Ana Souza: text` (system events have no `Name: `);
- iOS: `[12/03/2024, 21:15:07] Ana Souza: text`, system events and attachments marked with an
  invisible U+200E, a U+202F before AM/PM, phone numbers wrapped in U+202A/U+202C.

The date follows the phone's locale: D/M/Y, M/D/Y or Y-M-D, `/`, `.` or `-`, 2- or 4-digit
years, 12 h (`9:15 pm`, `9:15 p. m.`) or 24 h clocks, with or without seconds. Day/month order
is not written anywhere, so it is inferred from the whole file in a cheap first pass (a first
field over 12 means day first, a second field over 12 means month first); when every date is
ambiguous, `ImportOptions.day_first` decides, else day first is assumed and every message says
so in `extra["date_order_assumed"]`. Lines that do not start with a header continue the
previous message. Times are local with no zone, so timestamps are naive.

Parsing streams (two passes over `iter_lines`), with one precompiled header regex and the
numeric fields converted by hand, cached per distinct timestamp text.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, ClassVar, cast

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import FileSource, Source
from amparo.ingest.textio import head_text, iter_lines

_SP = "[ \u00a0\u202f]"  # WhatsApp uses plain, no-break and narrow no-break spaces
_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"

# Groups: 1 "[" (iOS), 2 the whole timestamp text (cache key), 3-5 date fields, 6 hour,
# 7 minute, 8 second, 9 a/p of AM/PM, 10 the rest of the line.
_HEADER = re.compile(
    "[\u200e\u200f\ufeff]*(\\[)?"
    "((\\d{1,4})[/.\\-](\\d{1,2})[/.\\-](\\d{1,4})\\.?,?" + _SP + "+"
    "(\\d{1,2})[:.](\\d{2})(?:[:.](\\d{2}))?"
    "(?:" + _SP + "*([aApP])\\.?" + _SP + "?[mM]\\.?)?)"
    "(?(1)\\]" + _SP + "?|(?:" + _SP + "*[-\u2013]" + _SP + "?|: ))"
    "(.*)"
)

# A last line cut off inside its header: only date/time characters after a date.
_PARTIAL_HEADER = re.compile(
    "[\u200e\ufeff]*\\[?\\d{1,4}[/.\\-]\\d{1,2}[/.\\-]\\d{1,4}\\.?[, \u00a0\u202f]"
    "[\\d, :.\u00a0\u202fapmAPM\\]\\-]*"
)

# "WhatsApp Chat with Ana Souza.txt", "WhatsApp Chat - Ana Souza.zip" and translations.
_CHAT_NAME = re.compile(
    r"(?:WhatsApp Chat with|WhatsApp Chat -|WhatsApp-Chat mit|Chat de WhatsApp con"
    r"|Chat de WhatsApp com|Conversa do WhatsApp com|Conversa de WhatsApp com"
    r"|Conversación de WhatsApp con|Discussion WhatsApp avec)\s+(.+?)(?:\s*\(\d+\))?",
    re.IGNORECASE,
)

# Media placeholders, tested only when the first line ends with one of these.
_MEDIA_TAILS = (
    ">", ")", "omitted", "omitida", "omitido", "ocultada", "ocultado", "oculta",
)
_MEDIA = re.compile(
    r"<(?P<omitted>Media omitted|Multimedia omitido|Mídia oculta|Mídia omitida"
    r"|Medien ausgeschlossen|Médias omis|Media weggelaten)>"
    r"|<(?:attached|adjunto|anexado|archivo adjunto|arquivo anexado|Anhang|pièce jointe):"
    r" (?P<attached>[^>]+)>"
    r"|(?P<file>.+?) \((?:file attached|archivo adjunto|arquivo anexado|Datei angehängt"
    r"|fichier joint)\)"
    r"|(?:(?P<doc>[^\u200e]+?) • .*?)?\u200e?"
    r"(?P<kind>image|video|audio|sticker|document|GIF|Contact card|imagen|imagem|vídeo"
    r"|áudio|figurinha|documento|tarjeta de contacto|cartão de contato|contacto|contato)"
    r" (?:omitted|omitida|omitido|ocultada|ocultado|oculta)"
)
_KIND_NAMES = {
    "imagen": "image", "imagem": "image", "vídeo": "video", "áudio": "audio",
    "figurinha": "sticker", "documento": "document", "gif": "gif",
    "contact card": "contact", "tarjeta de contacto": "contact",
    "cartão de contato": "contact", "contacto": "contact", "contato": "contact",
}

_DELETED = frozenset(
    variant
    for notice in (
        "This message was deleted", "You deleted this message",
        "Se eliminó este mensaje", "Eliminaste este mensaje", "Este mensaje fue eliminado",
        "Mensaje eliminado",
        "Esta mensagem foi apagada", "Você apagou esta mensagem", "Mensagem apagada",
    )
    for variant in (notice, notice + ".")
)

_EDITED = re.compile(
    "[ \u200e]*<(?:This message was edited|Se editó este mensaje\\.?|Mensaje editado"
    "|Mensagem editada|Esta mensagem foi editada)>$"
)

# Platform events, in English, Spanish and Portuguese. The first that matches names the event.
_SYSTEM_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (event, re.compile(pattern))
    for event, pattern in (
        ("encryption", r"end-to-end encrypt|cifrad[oa]s? de extremo a extremo"
         r"|criptografia de ponta a ponta|protegidas com a criptografia"),
        ("security_code", r"security code|código de seguridad|código de segurança"),
        ("joined", r"joined using this group's invite link|joined using an invite link"
         r"|se unió usando el enlace de invitación|se unió con el enlace"
         r"|entrou usando o link de convite"),
        ("created", r"\bcreated (?:group|this group)\b|\bcre(?:ó|aste) el grupo\b"
         r"|\bcri(?:ou|ei) (?:o|este) grupo\b"),
        ("subject", r"changed the subject|changed the group name|changed this group's name"
         r"|cambi(?:ó|aste) el (?:asunto|nombre del grupo)"
         r"|(?:mudou|alterou) o (?:assunto|nome do grupo|nome deste grupo)"),
        ("description", r"changed the group description|cambi(?:ó|aste) la descripción"
         r"|(?:mudou|alterou) a descrição"),
        ("icon", r"this group's icon|the group icon|ícono de este grupo|imagen del grupo"
         r"|imagem deste grupo|ícone deste grupo|imagem do grupo"),
        ("number_change", r"changed their phone number|changed (?:their number )?to \+"
         r"|cambió (?:su número|a \+)|mudou (?:seu número|de número|para \+)"),
        ("settings", r"changed (?:this group's |the group |the )?settings"
         r"|cambi(?:ó|aste) (?:los ajustes|la configuración)"
         r"|(?:mudou|alterou) as configurações"),
        ("admin", r"now an admin|no longer an admin|ahora eres admin|ya no eres admin"
         r"|agora (?:você )?é (?:um )?admin"),
        ("disappearing", r"[Dd]isappearing messages|[Mm]ensajes temporales"
         r"|[Mm]ensagens temporárias"),
        ("pinned", r"pinned a message|fijó un mensaje|fixou uma mensagem"),
        ("blocked", r"^You (?:un)?blocked this contact|^(?:Des)?[Bb]loqueaste"
         r"|^Você (?:des)?bloqueou"),
        ("business", r"business account|cuenta de empresa|conta comercial"),
        ("missed_call", r"^Missed (?:group )?(?:voice|video) call"
         r"|^(?:Llamada|Videollamada)(?: de voz| grupal| de video)? perdida"
         r"|^Chamada(?: de voz| de vídeo| em grupo)? perdida"),
        ("call", r"^(?:Voice|Video|Group) call\b|^(?:Llamada|Videollamada)\b"
         r"|^(?:Chamada|Videochamada)\b"),
        ("left", r"(?: left| salió(?: del grupo)?| saiu(?: do grupo)?)$"
         r"|^(?:You left|Saliste|Você saiu)"),
        ("removed", r" removed | removed you$| elimin(?:ó|aste) a | te eliminó$"
         r"| removeu | removeu você$"),
        ("added", r" added | added you$|^You added | añadi(?:ó|ste) | agreg(?:ó|aste) "
         r"| te añadió$| te agregó$| adicionou "),
    )
)

# On Android a system line has no "Name: "; these events can still carry a ": " inside a
# group name, subject or description, so a "name" containing them is not an author.
_SYSTEM_IN_NAME = re.compile(
    r"changed the subject|changed the group|changed this group|created group"
    r"|cambi(?:ó|aste) (?:el asunto|el nombre|la descripción)|cre(?:ó|aste) el grupo"
    r"|(?:mudou|alterou) (?:o assunto|o nome|a descrição)|criou o grupo"
)
_MAX_AUTHOR_LEN = 100

_PHONE = re.compile(r"\+?[\d \-().\u00a0\u2011]{6,}")


def _system_event(text: str) -> str | None:
    for event, pattern in _SYSTEM_EVENTS:
        if pattern.search(text):
            return event
    return None


def chat_title(name: str) -> str:
    """The chat's title from an export's file name ("WhatsApp Chat with Ana Souza.txt"
    gives "Ana Souza"), else the file name without its extension."""
    stem = PurePosixPath(name).name
    if stem.lower().endswith((".txt", ".zip")):
        stem = stem[:-4]
    m = _CHAT_NAME.fullmatch(stem.strip())
    return (m.group(1) if m else stem).strip()


def _is_chat_name(member: str) -> bool:
    base = PurePosixPath(member).name
    if not base.lower().endswith(".txt"):
        return False
    return base.lower() == "_chat.txt" or _CHAT_NAME.fullmatch(base[:-4].strip()) is not None


def _sniff_text(head: str) -> float:
    lines = [ln for ln in head.splitlines()[:40] if ln.strip(" \t" + _MARKS)]
    if not lines:
        return 0.0
    if _HEADER.match(lines[0]):
        return 0.95
    hits = sum(1 for ln in lines[:20] if _HEADER.match(ln))
    return 0.7 if hits >= 2 else 0.0


class WhatsAppImporter(Importer):
    name: ClassVar[str] = "whatsapp"
    platform: ClassVar[Platform] = Platform.WHATSAPP
    description: ClassVar[str] = (
        "WhatsApp 'Export chat' text file, or its .zip with media (Android and iOS)"
    )

    @classmethod
    def _candidates(cls, source: Source) -> list[str]:
        members = source.members()
        if isinstance(source, FileSource):
            return members
        named = [m for m in members if _is_chat_name(m)]
        others = [m for m in members if m.lower().endswith(".txt") and m not in named]
        return named + others[:5]

    @classmethod
    def sniff(cls, source: Source) -> float:
        best = 0.0
        for member in cls._candidates(source)[:6]:
            best = max(best, _sniff_text(head_text(source, member)))
            if best >= 0.95:
                break
        return best

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        candidates = self._candidates(source)
        chats = [m for m in candidates if _is_chat_name(m)] or [
            m for m in candidates if _sniff_text(head_text(source, m)) > 0
        ]
        if not chats:
            if len(candidates) == 1:
                chats = candidates  # let the first pass say what is wrong with it
            else:
                raise ImportRejected(
                    source.name, "no WhatsApp chat export (.txt) found in the source"
                )
        chat_set = set(chats)
        media: dict[str, str] = {}
        if not isinstance(source, FileSource):
            for m in source.members():
                if m not in chat_set:
                    media.setdefault(PurePosixPath(m).name, m)
        for member in chats:
            base = PurePosixPath(member).name
            title = chat_title(source.name if base.lower() == "_chat.txt" else base)
            yield from self._parse_member(source, member, options, media, title)

    # -- first pass ----------------------------------------------------------------------

    def _date_order(
        self, source: Source, member: str, options: ImportOptions
    ) -> tuple[bool, bool]:
        """(day_first, assumed): the day/month order, read from the first line that settles
        it; `assumed` when no line does and the caseworker did not say."""
        label = source.label(member)
        match = _HEADER.match
        found = False
        ambiguous = False
        non_empty = False
        # iter_lines is a generator; close it explicitly, the deciding line may come early.
        lines = cast(
            Generator[tuple[int, str], None, None],
            iter_lines(source, member, options.encoding),
        )
        try:
            for _lineno, line in lines:
                m = match(line)
                if m is None:
                    if not non_empty and line.strip(" \t" + _MARKS):
                        non_empty = True
                    continue
                found = True
                a, b = m.group(3, 4)
                if len(a) > 2:
                    continue  # year first
                ambiguous = True
                if int(a) > 12:
                    return True, False
                if int(b) > 12:
                    return False, False
        finally:
            lines.close()
        if not found:
            if non_empty:
                raise ImportRejected(
                    label, "no WhatsApp message header (like '12/03/2024, 21:15 - Name: "
                    "text' or '[12/03/2024, 21:15:07] Name: text') found",
                )
            raise ImportRejected(label, "the file is empty")
        if options.day_first is not None:
            return options.day_first, False
        return True, ambiguous

    # -- second pass ---------------------------------------------------------------------

    def _parse_member(
        self,
        source: Source,
        member: str,
        options: ImportOptions,
        media: dict[str, str],
        title: str,
    ) -> Iterator[ParsedMessage | RecordError]:
        day_first, assumed = self._date_order(source, member, options)
        order = "day/month/year" if day_first else "month/day/year"
        match = _HEADER.match
        cache: dict[str, datetime] = {}
        authors: dict[str, ParsedAccount | None] = {}
        ctx = _Context(member, title, assumed, authors, media, source)

        start = 0  # line number of the current message's header; 0 when none
        ts: datetime | None = None
        rest = ""
        ios = False
        more: list[str] | None = None
        orphan: tuple[int, int] | None = None
        last_line = ""
        skipping = False

        for lineno, line in iter_lines(source, member, options.encoding):
            m = match(line)
            if m is None:
                if start:
                    if more is None:
                        more = [line]
                    else:
                        more.append(line)
                elif not skipping and line.strip(" \t" + _MARKS):
                    orphan = (orphan[0] if orphan else lineno, lineno)
                last_line = line
                continue
            if start:
                yield ctx.build(start, ts, rest, ios, more)
                start = 0
            elif orphan:
                yield _orphan_error(member, orphan)
                orphan = None
            more = None
            key = m.group(2)
            stamp = cache.get(key)
            if stamp is None:
                try:
                    stamp = _to_datetime(m.groups(), day_first)
                except ValueError:
                    yield RecordError(
                        member, f"line {lineno}",
                        f"impossible date or time {key.strip()!r} read as {order}",
                    )
                    skipping = True
                    continue
                if len(cache) > 20_000:
                    cache.clear()
                cache[key] = stamp
            skipping = False
            start, ts, rest, ios = lineno, stamp, m.group(10), m.group(1) is not None
            last_line = line

        if orphan:
            yield _orphan_error(member, orphan)
        if start:
            if more and more[-1] is last_line and _PARTIAL_HEADER.fullmatch(last_line):
                more.pop()
                yield ctx.build(start, ts, rest, ios, more or None)
                yield RecordError(
                    member, f"line {start + len(more) + 1}",
                    f"the file ends inside a message header ({last_line.strip()!r}); "
                    "was the export truncated?",
                )
            else:
                yield ctx.build(start, ts, rest, ios, more)


def _orphan_error(member: str, span: tuple[int, int]) -> RecordError:
    where = f"line {span[0]}" if span[0] == span[1] else f"lines {span[0]}-{span[1]}"
    return RecordError(member, where, "text before the first WhatsApp message header")


def _to_datetime(g: tuple[str | Any, ...], day_first: bool) -> datetime:
    a, b, c, hh, mm, ss, ampm = g[2:9]
    if len(a) > 2:
        year, month, day = int(a), int(b), int(c)
    else:
        year = int(c)
        if len(c) <= 2:
            year += 2000  # WhatsApp is younger than 2000
        elif len(c) == 3:
            raise ValueError("three-digit year")
        month, day = (int(b), int(a)) if day_first else (int(a), int(b))
    hour = int(hh)
    if ampm is not None:
        if hour > 12:
            raise ValueError("hour over 12 with AM/PM")
        hour = hour % 12 + (12 if ampm in "pP" else 0)
    return datetime(year, month, day, hour, int(mm), int(ss) if ss else 0)


class _Context:
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
