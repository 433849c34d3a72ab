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
``From `` that open the file, follow a blank line, or are envelope lines followed directly by
header lines (Thunderbird and Netscape folders; see `mbox`), with ``>From `` (mboxrd/mboxo
quoting) unquoted. Memory is bounded by the largest single message, never by the mailbox.
Each message's locator gives 1-based inclusive lines and a byte range
``[byte_start, byte_end)`` covering its ``From `` line up to (not including) the next one.
"""

from __future__ import annotations

from amparo.ingest.email.importer import EMAIL_SUFFIXES, EmailImporter, head_kind
from amparo.ingest.email.mbox import MboxEntry, iter_mbox
from amparo.ingest.email.message import decode_text

__all__ = ["EMAIL_SUFFIXES", "EmailImporter", "MboxEntry", "decode_text", "head_kind", "iter_mbox"]
