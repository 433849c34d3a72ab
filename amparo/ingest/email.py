"""Email: single ``.eml`` messages (one file, or many in a folder or zip) and mbox mailboxes.

Messages are read with the standard library's ``email`` package (``policy.default``), which
decodes RFC 2047 headers (``=?utf-8?b?...?=``) and RFC 2231 file names. Plain single-part
text messages with simple ASCII headers (most of a typical mailbox) take a fast path that
reads them directly, with the same results; everything else goes through the stdlib parser.

- ``source_id`` is the Message-ID and ``reply_to`` the In-Reply-To, both without angle
  brackets; ``conversation_key`` is the thread's root (first References id, else In-Reply-To,
  else the message's own id) and ``conversation_title`` the subject.
- The author's key is the lower-cased From address, its display name the From name; To, Cc
  and Bcc are the recipients.
- Text is ``"Subject: ...\\n\\n"`` followed by the body. text/plain is preferred over
  text/html; HTML-only mail is converted to readable text (links kept as ``text <url>``).
  Further inline text/plain parts of a multipart/mixed message are appended. A body whose
  declared charset is wrong or unknown is decoded as UTF-8, else Windows-1252, else Latin-1,
  and ``extra["charset_note"]`` says so.
- A missing or unreadable Date gives ``timestamp=None`` and ``extra["date_note"]``; a Date
  with no zone gives a naive timestamp (``-0000`` is read as UTC, as RFC 5322 says).
- Attachments are ``Attachment(name, mime_type, size)`` with the decoded size.
- A forwarded message attached as message/rfc822 is listed as an attachment of the outer
  message and also yielded as its own `ParsedMessage` right after it, with its own author,
  date and ids, ``forwarded_from`` set to the address of whoever forwarded it (the outer From)
  and ``extra["forwarded_in"]`` the outer Message-ID. It shares the outer message's locator.

mbox files are streamed: read sequentially in binary, split at lines starting with
``From `` that open the file or follow a blank line, with ``>From `` (mboxrd/mboxo quoting)
unquoted. Memory is bounded by the largest single message, never by the mailbox. Each message's
locator gives 1-based inclusive lines and a byte range ``[byte_start, byte_end)`` covering
its ``From `` line up to (not including) the next one.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import IO, Any, ClassVar

from amparo.domain import (
    Attachment,
    Locator,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.htmltext import html_to_text
from amparo.ingest.sources import FileSource, Source

EMAIL_SUFFIXES = (".eml", ".mbox", ".mbx", ".mbs")
# A line longer than this is read in pieces, so one absurd line cannot exhaust memory.
_READ_LIMIT = 1 << 20
_MAX_DEPTH = 8  # forwarded-inside-forwarded nesting followed at most this deep

_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_KNOWN_HEADERS = frozenset(
    b"from to cc bcc subject date message-id received return-path mime-version "
    b"content-type delivered-to reply-to in-reply-to references sender x-mailer "
    b"x-gm-thrid x-gmail-labels user-agent content-transfer-encoding".split()
)
_STRONG_HEADERS = frozenset(b"from date message-id received subject".split())
_STRONG_NAMES = frozenset(n.decode() for n in _STRONG_HEADERS)
_FROM_LINE = re.compile(rb"^From \S*")
_QUOTED_FROM = re.compile(rb"^>+From ")
_ZERO_ZONE = re.compile(r"-0000\s*(?:\([^)]*\))?\s*$")


def _looks_like_headers(lines: list[bytes]) -> bool:
    """True when the lines open with an RFC 822 header block naming known headers."""
    known: set[bytes] = set()
    for i, line in enumerate(lines):
        if line in (b"", b"\r"):
            break
        if line[:1] in (b" ", b"\t"):
            if i == 0:
                return False
            continue
        if not _HEADER_LINE.match(line):
            if i == len(lines) - 1:  # the head may cut the last line short
                break
            return False
        known.add(line.split(b":", 1)[0].strip().lower())
    found = known & _KNOWN_HEADERS
    return len(found) >= 2 and bool(found & _STRONG_HEADERS)


def head_kind(head: bytes) -> str | None:
    """'mbox', 'eml' or None, from the first bytes of a file."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.split(b"\n")
    if _FROM_LINE.match(lines[0]):
        return "mbox" if _looks_like_headers(lines[1:]) else None
    return "eml" if _looks_like_headers(lines) else None


class EmailImporter(Importer):
    name: ClassVar[str] = "email"
    platform: ClassVar[Platform] = Platform.EMAIL
    description: ClassVar[str] = "Email: .eml files (single, folder or zip) and mbox mailboxes"
    # Plain single-part messages with simple headers skip the stdlib parser (see `_fast_read`);
    # tests turn this off to check that both paths give the same results.
    fast_path: ClassVar[bool] = True

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        if isinstance(source, FileSource):
            candidates = members
        else:
            candidates = [m for m in members if _email_candidate(m)]
        for member in candidates[:8]:
            try:
                if head_kind(source.head(member, 4096)):
                    return 0.95
            except OSError:
                continue
        return 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        single = isinstance(source, FileSource)
        found = False
        for member in source.members():
            if not single and not _email_candidate(member):
                continue
            kind = head_kind(source.head(member, 4096))
            if kind is None:
                if single:
                    raise ImportRejected(
                        source.label(member),
                        "not an email message or mbox mailbox: no RFC 822 headers "
                        "and no 'From ' line",
                        where="line 1",
                    )
                continue
            found = True
            if kind == "mbox":
                yield from self._mbox(source, member)
            else:
                yield from self._eml(source, member)
        if not found:
            raise ImportRejected(source.name, "no email message or mbox mailbox found")

    # ------------------------------------------------------------------ files

    def _eml(self, source: Source, member: str) -> Iterator[ParsedMessage | RecordError]:
        size = source.size(member)
        if size > source.limits.max_json_bytes:
            yield RecordError(
                member, "message", f"{size} bytes is over the {source.limits.max_json_bytes}"
                "-byte limit for one message",
            )
            return
        with source.open(member) as fh:
            raw = fh.read()
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
        locator = Locator(member=member, line_start=1, line_end=max(lines, 1))
        yield from self._message(raw, member, locator, "message", {})

    def _mbox(self, source: Source, member: str) -> Iterator[ParsedMessage | RecordError]:
        cap = source.limits.max_json_bytes
        with source.open(member) as fh:
            for entry in iter_mbox(fh, cap, source.label(member)):
                locator = Locator(
                    member=member,
                    line_start=entry.line_start,
                    line_end=entry.line_end,
                    byte_start=entry.byte_start,
                    byte_end=entry.byte_end,
                )
                where = f"line {entry.line_start}"
                if entry.body is None:
                    yield RecordError(
                        member, where, f"message is over the {cap}-byte limit for one message"
                    )
                    continue
                extra = {"envelope": entry.envelope} if entry.envelope else {}
                yield from self._message(entry.body, member, locator, where, extra)

    # ------------------------------------------------------------------ messages

    def _message(
        self,
        raw: bytes,
        member: str,
        locator: Locator,
        where: str,
        extra: dict[str, Any],
    ) -> Iterator[ParsedMessage | RecordError]:
        if self.fast_path:
            simple = _split_simple(raw)
            if simple is not None:
                headers, body = simple
                if not headers.keys() & _STRONG_NAMES:
                    yield RecordError(
                        member, where, "no email headers (From, Date, Subject...) found"
                    )
                    return
                fast_extra = dict(extra)
                parsed = _fast_read(headers, body, fast_extra)
                if parsed is not None:
                    yield _record(parsed, locator, fast_extra, None)
                    return
        try:
            msg = BytesParser(policy=policy.default).parsebytes(raw)
        except Exception as exc:  # noqa: BLE001 - the parser is lenient; anything else is a bad record
            yield RecordError(member, where, f"unreadable message: {exc}")
            return
        assert isinstance(msg, EmailMessage)
        yield from self._emit(msg, member, locator, where, extra, None, None, 0)

    def _emit(
        self,
        msg: EmailMessage,
        member: str,
        locator: Locator,
        where: str,
        extra: dict[str, Any],
        forwarded_by: str | None,
        forwarded_in: str | None,
        depth: int,
    ) -> Iterator[ParsedMessage | RecordError]:
        names = {k.lower() for k in msg}
        if not names & _STRONG_NAMES:
            yield RecordError(member, where, "no email headers (From, Date, Subject...) found")
            return
        extra = dict(extra)
        try:
            parsed = _read(msg, extra)
        except Exception as exc:  # noqa: BLE001 - malformed MIME must not stop the import
            yield RecordError(member, where, f"unreadable message: {exc}")
            return
        if forwarded_in:
            extra["forwarded_in"] = forwarded_in
        author = parsed.author
        yield _record(parsed, locator, extra, forwarded_by)
        if depth >= _MAX_DEPTH:
            return
        for inner in parsed.forwarded:
            yield from self._emit(
                inner, member, locator, f"{where}, forwarded message", {},
                author.key if author else None, parsed.message_id, depth + 1,
            )


def _record(
    parsed: _Parsed, locator: Locator, extra: dict[str, Any], forwarded_by: str | None
) -> ParsedMessage:
    return ParsedMessage(
        platform=Platform.EMAIL,
        timestamp=parsed.timestamp,
        text=parsed.text,
        locator=locator,
        author=parsed.author,
        source_id=parsed.message_id,
        conversation_key=parsed.thread,
        conversation_title=parsed.subject,
        recipients=parsed.recipients,
        reply_to=parsed.in_reply_to,
        forwarded_from=forwarded_by,
        attachments=parsed.attachments,
        extra=extra,
    )


def _email_candidate(member: str) -> bool:
    """Members worth a look inside a folder or zip: email suffixes or no suffix at all."""
    name = member.rsplit("/", 1)[-1].lower()
    if name.startswith("."):
        return False
    return name.endswith(EMAIL_SUFFIXES) or "." not in name


# --------------------------------------------------------------------------- mbox


class MboxEntry:
    __slots__ = ("body", "byte_end", "byte_start", "envelope", "line_end", "line_start")

    def __init__(
        self, byte_start: int, byte_end: int, line_start: int, line_end: int,
        envelope: str, body: bytes | None,
    ) -> None:
        self.byte_start = byte_start
        self.byte_end = byte_end
        self.line_start = line_start
        self.line_end = line_end
        self.envelope = envelope
        self.body = body


def iter_mbox(
    fh: IO[bytes], max_message_bytes: int, label: str = "mbox"
) -> Iterator[MboxEntry]:
    """Split an mbox stream into messages without holding more than one in memory.

    A message starts at a line beginning with ``From `` at the start of the file or right
    after a blank line. The body excludes the ``From `` line and the blank line that ends the
    message, and ``>From `` quoting is undone. A message larger than `max_message_bytes` is
    yielded with ``body=None`` (its bytes are skipped, not kept).
    """
    offset = 0
    lineno = 0
    start: int | None = None
    start_line = 0
    envelope = ""
    parts: list[bytes] = []
    size = 0
    too_big = False
    prev_blank = True
    at_line_start = True
    last_was_blank_line = False  # the message's final complete line was empty

    def finish(end: int, end_line: int) -> MboxEntry:
        body: bytes | None = None
        if not too_big:
            if last_was_blank_line and parts:
                parts.pop()
            body = b"".join(parts)
        return MboxEntry(start or 0, end, start_line, end_line, envelope, body)

    while True:
        piece = fh.readline(_READ_LIMIT)
        if not piece:
            break
        consumed = len(piece)
        if at_line_start:
            lineno += 1
        if offset == 0 and piece.startswith(codecs.BOM_UTF8):
            piece = piece[len(codecs.BOM_UTF8) :]
        if at_line_start and prev_blank and piece.startswith(b"From "):
            if start is not None:
                yield finish(offset, lineno - 1)
            start, start_line = offset, lineno
            envelope = piece.rstrip(b"\r\n").decode("utf-8", "replace")
            parts, size, too_big, last_was_blank_line = [], 0, False, False
        elif start is None:
            if piece.strip():
                raise ImportRejected(
                    label, "text before the first 'From ' line", where=f"line {lineno}"
                )
        else:
            if at_line_start and _QUOTED_FROM.match(piece):
                piece = piece[1:]
            size += len(piece)
            if size > max_message_bytes:
                too_big = True
                parts = []
            elif not too_big:
                parts.append(piece)
            last_was_blank_line = at_line_start and piece in (b"\n", b"\r\n")
        ended = piece.endswith(b"\n")
        prev_blank = at_line_start and ended and piece in (b"\n", b"\r\n")
        at_line_start = ended
        offset += consumed
    if start is not None:
        yield finish(offset, lineno)


# --------------------------------------------------------------------------- reading


class _Parsed:
    __slots__ = (
        "attachments", "author", "forwarded", "in_reply_to", "message_id", "recipients",
        "subject", "text", "thread", "timestamp",
    )

    def __init__(self) -> None:
        self.author: ParsedAccount | None = None
        self.recipients: tuple[ParsedAccount, ...] = ()
        self.timestamp: datetime | None = None
        self.subject: str | None = None
        self.message_id: str | None = None
        self.in_reply_to: str | None = None
        self.thread: str | None = None
        self.text = ""
        self.attachments: tuple[Attachment, ...] = ()
        self.forwarded: list[EmailMessage] = []


def _read(msg: EmailMessage, extra: dict[str, Any]) -> _Parsed:
    out = _Parsed()
    # Header objects are rebuilt on every access under policy.default, so each header is
    # looked up at most once, and only when present; ids are read raw (never encoded).
    raw = _raw_headers(msg)
    senders = _addresses(msg, "From", raw)
    out.author = senders[0] if senders else None
    recipients: list[ParsedAccount] = []
    for name in ("To", "Cc", "Bcc"):
        recipients.extend(_addresses(msg, name, raw))
    out.recipients = tuple(recipients)
    out.timestamp = _date(raw.get("date"), extra)
    out.subject = _header(msg, "Subject") if "subject" in raw else None
    out.message_id = _msgid(raw.get("message-id"))
    out.in_reply_to = _msgid(raw.get("in-reply-to"))
    refs = re.findall(r"<([^<>\s]+)>", raw.get("references") or "")
    out.thread = refs[0] if refs else out.in_reply_to or out.message_id
    labels = _header(msg, "X-Gmail-Labels") if "x-gmail-labels" in raw else None
    if labels:
        extra["labels"] = [x.strip() for x in labels.split(",") if x.strip()]

    if msg.is_multipart():
        body_part = msg.get_body(preferencelist=("plain", "html"))
    elif msg.get_content_type() in ("text/plain", "text/html") and not msg.is_attachment():
        body_part = msg
    else:
        body_part = None
    texts: list[str] = []
    notes: list[str] = []
    if body_part is not None:
        text, note = decode_text(body_part)
        if body_part.get_content_subtype() == "html":
            text = html_to_text(text)
            extra["converted_from_html"] = True
        texts.append(text.strip("\r\n"))
        if note:
            notes.append(note)
    attachments: list[Attachment] = []
    for part, in_alternative in _leaves(msg, False):
        if part is body_part:
            continue
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = _inner_message(part)
            if inner is not None:
                out.forwarded.append(inner)
                subject = _header(inner, "Subject")
                attachments.append(Attachment(
                    name=_fix(part.get_filename()) or f"{subject or 'message'}.eml",
                    mime_type=ctype,
                    size=_size_of(inner),
                ))
            continue
        filename = _fix(part.get_filename())
        if in_alternative and not filename:
            continue
        if (
            ctype == "text/plain" and not filename
            and part.get_content_disposition() != "attachment"
        ):
            text, note = decode_text(part)
            texts.append(text.strip("\r\n"))
            if note:
                notes.append(note)
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else None
        attachments.append(Attachment(name=filename, mime_type=ctype, size=size))
    if notes:
        extra["charset_note"] = "; ".join(notes)
    body = "\n\n".join(t for t in texts if t).replace("\r\n", "\n")
    out.text = f"Subject: {out.subject}\n\n{body}" if out.subject else body
    out.attachments = tuple(attachments)
    return out


def _leaves(part: Message, in_alternative: bool) -> Iterator[tuple[Message, bool]]:
    """Non-multipart parts, with whether they sit in a multipart/alternative. message/rfc822
    parts are leaves here: their content is handled as a forwarded message."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        alt = in_alternative or part.get_content_subtype() == "alternative"
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                yield from _leaves(sub, alt)
    else:
        yield part, in_alternative


def _inner_message(part: Message) -> EmailMessage | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
        return payload[0]
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes) and raw:
        inner = BytesParser(policy=policy.default).parsebytes(raw)
        return inner if isinstance(inner, EmailMessage) else None
    return None


def _size_of(msg: EmailMessage) -> int | None:
    try:
        return len(msg.as_bytes())
    except Exception:  # noqa: BLE001 - size is informative only
        return None


def decode_text(part: Message) -> tuple[str, str | None]:
    """A text part's content in its declared charset; when that charset is unknown or wrong,
    a lenient decode and a note saying what was done."""
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    return _decode_body(raw, part.get_content_charset())


def _decode_body(raw: bytes, declared: str | None) -> tuple[str, str | None]:
    charset = declared or "us-ascii"
    try:
        codecs.lookup(charset)
    except LookupError:
        problem = f"unknown charset {declared!r}"
    else:
        try:
            return raw.decode(charset), None
        except UnicodeDecodeError:
            problem = (
                f"body is not valid {declared}" if declared
                else "8-bit body with no charset declared"
            )
    for fallback in ("utf-8", "cp1252"):
        try:
            return raw.decode(fallback), f"{problem}; decoded as {fallback}"
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), f"{problem}; decoded as latin-1"


def _fix(text: str | None) -> str | None:
    """Undo the surrogate escapes the parser leaves for raw 8-bit header bytes (RFC 6532
    UTF-8 headers, or legacy 8-bit ones)."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _header(msg: Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a malformed header must not lose the message
        value = None
    if value is None:
        return None
    text = _fix(" ".join(str(value).split()))
    return text or None


def _addresses(msg: Message, name: str, raw: dict[str, str]) -> list[ParsedAccount]:
    accounts: list[ParsedAccount] = []
    pairs: list[tuple[str, str]] = []
    if name.lower() not in raw:
        return accounts
    try:
        value = msg.get(name)
        found = getattr(value, "addresses", None)
        if found is None:
            raise ValueError("no parsed addresses")
        for addr in found:
            if isinstance(addr, Address):
                pairs.append((addr.display_name, addr.addr_spec))
    except Exception:  # noqa: BLE001 - fall back to the lenient legacy parser
        value_text = _header(msg, name)
        pairs = getaddresses([value_text]) if value_text else []
    for display, spec in pairs:
        spec = _fix(spec) or ""
        display = _fix(display) or ""
        if not spec or spec == "<>":
            if display:
                accounts.append(ParsedAccount(Platform.EMAIL, display, display_name=display))
            continue
        accounts.append(ParsedAccount(
            Platform.EMAIL, spec.lower(), handle=spec, display_name=display or None,
        ))
    return accounts


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    found = re.search(r"<([^<>]+)>", value)
    text = (found.group(1) if found else value).strip()
    return text or None


def _raw_headers(msg: Message) -> dict[str, str]:
    """Headers as written (first occurrence of each, unfolded), by lower-cased name. The
    parsed Date header, for one, re-renders a missing zone as ``-0000``, which would hide
    that the zone is unknown."""
    found: dict[str, str] = {}
    for key, value in msg.raw_items():
        name = key.lower()
        if name not in found:
            found[name] = _fix(" ".join(str(value).split())) or ""
    return found


def _date(raw: str | None, extra: dict[str, Any]) -> datetime | None:
    if not raw:
        extra["date_note"] = "no Date header"
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        extra["date_note"] = f"unreadable Date header: {raw!r}"
        return None
    if value.tzinfo is None:
        if _ZERO_ZONE.search(raw):
            return value.replace(tzinfo=UTC)
        extra["date_note"] = "Date header has no time zone"
    return value


# --------------------------------------------------------------------------- fast path
#
# Most mail in a mailbox is one text/plain (or text/html) part under plain ASCII headers.
# For those, the stdlib parser with policy.default costs far more than the rest of the
# import (header objects are rebuilt on every access). `_split_simple` and `_fast_read` read
# such messages directly and give exactly what the full path gives; anything they are not
# sure about (8-bit or control bytes in the headers, MIME structure, comments, groups,
# quoting, malformed encoded words, unusual transfer encodings) returns None and the
# message goes through the stdlib parser as before.

_HEADER_NAME = re.compile(rb"[!-9;-~]+:")
_UNSAFE_HEAD = re.compile(rb"[^\t\n\r -~]")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR_SPEC = rf"{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*"
_WORD = rf'(?:"[^"\\]*"|{_ATEXT})'
_MAILBOX = re.compile(
    rf"[ \t]*(?:(?P<spec>{_ADDR_SPEC})|(?P<name>{_WORD}(?:[ \t]+{_WORD})*)?[ \t]*"
    rf"<(?P<angle>{_ADDR_SPEC})>)[ \t]*(?:,|$)"
)
_PHRASE_WORD = re.compile(rf'"[^"\\]*"|{_ATEXT}')
# An RFC 2047 word the stdlib decodes the same way: no '?' or blanks in the text, which
# may start with '=' only as a =XX escape.
_ENCODED_WORD = re.compile(r"=\?([^?*\s]+)\?([bBqQ])\?((?:=[0-9A-Fa-f]{2}|[^=?\s])[^?\s]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_WSP_RUN = re.compile(r"[ \t]+")
_MIME_CHARS = r"[A-Za-z0-9!#$%&'+.^_`{|}~-]+"
_CONTENT_TYPE = re.compile(rf"[ \t]*({_MIME_CHARS}/{_MIME_CHARS})[ \t]*")
_PARAM = re.compile(rf'[ \t]*({_MIME_CHARS})[ \t]*=[ \t]*(?:"([^"\\;]*)"|({_MIME_CHARS}))[ \t]*')
_INLINE = re.compile(r"[ \t]*inline[ \t]*(?:;[^()\"\\]*)?", re.IGNORECASE)
_PLAIN_CTE = frozenset({"", "7bit", "8bit", "binary"})


def _split_simple(raw: bytes) -> tuple[dict[str, str], bytes] | None:
    """The header block as {lower-cased name: first value, unfolded} and the body, when the
    headers are plain ASCII lines the stdlib would read the same way; else None."""
    end = raw.find(b"\n\n")
    if end < 0 or b"\r" in raw[:end]:
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            return None
        head, body = raw[:end], raw[end + 4 :]
        if head.count(b"\r") != head.count(b"\r\n"):
            return None
        head = head.replace(b"\r\n", b"\n")
    else:
        head, body = raw[:end], raw[end + 2 :]
    if not head or _UNSAFE_HEAD.search(head):
        return None
    headers: dict[str, str] = {}
    name: str | None = None
    value: list[bytes] = []
    for line in head.split(b"\n"):
        first = line[:1]
        if first == b" " or first == b"\t":
            if name is None:
                return None
            value.append(line)
            continue
        if name is not None and name not in headers:
            headers[name] = b"".join(value).decode("ascii")
        if not _HEADER_NAME.match(line):
            return None
        colon = line.index(b":")
        name = line[:colon].decode("ascii").lower()
        value = [line[colon + 1 :].lstrip(b" \t")]
    if name is not None and name not in headers:
        headers[name] = b"".join(value).decode("ascii")
    return headers, body


def _fast_read(headers: dict[str, str], body: bytes, extra: dict[str, Any]) -> _Parsed | None:
    """`_read` for a message `_split_simple` accepted, or None when it has to go through the
    stdlib parser. May write into `extra` before giving up: pass a copy."""
    get = headers.get
    ctype_value = get("content-type")
    declared: str | None = None
    if ctype_value is None:
        subtype = "plain"
    else:
        ctype = _content_type(ctype_value)
        if ctype is None:
            return None
        full, declared = ctype
        if full == "text/plain":
            subtype = "plain"
        elif full == "text/html":
            subtype = "html"
        else:
            return None
    disposition = get("content-disposition")
    if disposition is not None and not _INLINE.fullmatch(disposition):
        return None
    content = _fast_payload(get("content-transfer-encoding"), body)
    if content is None:
        return None

    out = _Parsed()
    senders = _fast_addresses(get("from"))
    if senders is None:
        return None
    out.author = senders[0] if senders else None
    recipients: list[ParsedAccount] = []
    for name in ("to", "cc", "bcc"):
        found = _fast_addresses(get(name))
        if found is None:
            return None
        recipients.extend(found)
    out.recipients = tuple(recipients)
    subject = get("subject")
    if subject is not None:
        decoded = _fast_unstructured(subject)
        if decoded is None:
            return None
        out.subject = decoded or None
    labels_value = get("x-gmail-labels")
    labels: str | None = None
    if labels_value is not None:
        labels = _fast_unstructured(labels_value)
        if labels is None:
            return None
    date = get("date")
    out.timestamp = _date(" ".join(date.split()) if date is not None else None, extra)
    out.message_id = _msgid(_norm(get("message-id")))
    out.in_reply_to = _msgid(_norm(get("in-reply-to")))
    refs = re.findall(r"<([^<>\s]+)>", _norm(get("references")) or "")
    out.thread = refs[0] if refs else out.in_reply_to or out.message_id
    if labels:
        extra["labels"] = [x.strip() for x in labels.split(",") if x.strip()]

    text, note = _decode_body(content, declared)
    if subtype == "html":
        text = html_to_text(text)
        extra["converted_from_html"] = True
    if note:
        extra["charset_note"] = note
    body_text = text.strip("\r\n").replace("\r\n", "\n")
    out.text = f"Subject: {out.subject}\n\n{body_text}" if out.subject else body_text
    return out


def _norm(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def _content_type(value: str) -> tuple[str, str | None] | None:
    """(lower-cased type, lower-cased charset or None) of a plain Content-Type value."""
    pieces = value.split(";")
    m = _CONTENT_TYPE.fullmatch(pieces[0])
    if m is None:
        return None
    charset: str | None = None
    for piece in pieces[1:]:
        p = _PARAM.fullmatch(piece)
        if p is None:
            return None
        if charset is None and p.group(1).lower() == "charset":
            found = p.group(2) if p.group(2) is not None else p.group(3)
            charset = found.lower()
    return m.group(1).lower(), charset


def _fast_payload(cte: str | None, body: bytes) -> bytes | None:
    """The decoded body, as ``get_payload(decode=True)`` gives it, or None."""
    if cte is None:
        return body
    if not re.fullmatch(r"[A-Za-z0-9-]*", cte):
        return None
    cte = cte.lower()
    if cte in _PLAIN_CTE:
        return body
    if cte == "quoted-printable":
        return quopri.decodestring(body)
    if cte == "base64":
        data = b"".join(body.splitlines())
        if len(data) % 4:
            return None
        try:
            return base64.b64decode(data, validate=True)
        except binascii.Error:
            return None
    return None


def _decode_word(m: re.Match[str]) -> str | None:
    """One encoded word decoded as the stdlib decodes it, or None when it would not
    decode cleanly (unknown charset, bad bytes, bad base64)."""
    charset, cte, data = m.group(1), m.group(2), m.group(3).encode("ascii")
    if cte in "qQ":
        raw = _Q_ESCAPE.sub(lambda e: bytes.fromhex(e.group(1).decode()), data.replace(b"_", b" "))
    else:
        if len(data) % 4:
            return None
        try:
            raw = base64.b64decode(data, validate=True)
        except binascii.Error:
            return None
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def _fast_unstructured(value: str) -> str | None:
    """An unstructured header (Subject) as `_header` gives it, or None."""
    if "=?" not in value:
        return " ".join(value.split())
    pieces: list[str] = []
    previous_encoded = False
    for word in value.split():
        encoded = "=?" in word
        if encoded:
            m = _ENCODED_WORD.fullmatch(word)
            if m is None:
                return None
            decoded = _decode_word(m)
            if decoded is None:
                return None
            word = decoded
        if pieces and not (encoded and previous_encoded):
            pieces.append(" ")
        pieces.append(word)
        previous_encoded = encoded
    return " ".join("".join(pieces).split())


def _fast_addresses(value: str | None) -> list[ParsedAccount] | None:
    """An address list as `_addresses` gives it, or None when it is not a plain list of
    ``addr@domain`` and ``Name <addr@domain>`` entries."""
    accounts: list[ParsedAccount] = []
    if value is None or not value.strip(" \t"):
        return accounts
    pos, end = 0, len(value)
    while pos < end:
        m = _MAILBOX.match(value, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        spec = m.group("spec")
        display = ""
        if spec is None:
            spec = m.group("angle")
            phrase = m.group("name")
            if phrase:
                display_or_none = _fast_phrase(phrase)
                if display_or_none is None:
                    return None
                display = display_or_none
        if value[pos - 1 : pos] == "," and pos >= end:
            return None  # a trailing comma: leave it to the full parser
        accounts.append(ParsedAccount(
            Platform.EMAIL, spec.lower(), handle=spec, display_name=display or None,
        ))
    return accounts


def _fast_phrase(phrase: str) -> str | None:
    """A display name as policy.default reads it: words joined by one space, quoted strings
    kept as written, encoded words decoded with their blanks collapsed."""
    words: list[str] = []
    for m in _PHRASE_WORD.finditer(phrase):
        word = m.group()
        if word.startswith('"'):
            word = word[1:-1]
            if "=?" in word or not word:
                return None
        elif "=?" in word:
            ew = _ENCODED_WORD.fullmatch(word)
            if ew is None:
                return None
            decoded = _decode_word(ew)
            if decoded is None or not decoded.strip(" \t") or decoded[0] in " \t" or (
                decoded[-1] in " \t"
            ):
                return None
            word = _WSP_RUN.sub(" ", decoded)
        words.append(word)
    return " ".join(words)
