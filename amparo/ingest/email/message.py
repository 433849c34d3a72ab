"""Reading one parsed message (stdlib `email`, ``policy.default``): addresses, ids, Date,
the text body with its charset fallbacks, attachments and forwarded messages."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from amparo.domain import (
    Attachment,
    ParsedAccount,
    Platform,
)
from amparo.ingest.htmltext import html_to_text

_ZERO_ZONE = re.compile(r"-0000\s*(?:\([^)]*\))?\s*$")


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

