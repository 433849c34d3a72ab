"""The fast path for plain single-part messages under simple ASCII headers."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from typing import Any

from amparo.domain import (
    ParsedAccount,
    Platform,
)
from amparo.ingest.email.message import _date, _decode_body, _msgid, _Parsed
from amparo.ingest.htmltext import html_to_text

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

