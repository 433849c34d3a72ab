from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from amparo.domain import ParsedMessage, Platform
from amparo.ingest import ImportRejected
from amparo.ingest.email import EmailImporter, iter_mbox
from amparo.ingest.email.fastpath import _fast_read, _split_simple
from amparo.ingest.htmltext import html_to_text
from amparo.ingest.sources import open_source
from tests.ingest.helpers import FIXTURES, parse

EM = FIXTURES / "email"


def one(name: str) -> ParsedMessage:
    fmt, msgs, errors = parse(EM / name)
    assert fmt == "email" and not errors
    return msgs[0]


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "name",
    [
        "threat_utf8.eml", "html_only_latin1.eml", "mixed_attachments.eml", "forwarded.eml",
        "wrong_charset.eml", "unknown_charset.eml", "garbled_date.eml",
        "raw_utf8_headers.eml", "mailbox.mbox", "crlf.mbox", "takeout.mbox", "folder",
        "thunderbird.mbox", "netscape.mbox",
    ],
)
def test_auto_detection_chooses_email(name: str) -> None:
    fmt, msgs, _ = parse(EM / name)
    assert fmt == "email" and msgs
    assert all(m.platform is Platform.EMAIL for m in msgs)


def test_zip_of_eml_files(tmp_path: Path) -> None:
    archive = tmp_path / "mail.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted((EM / "folder").iterdir()):
            zf.write(f, f"export/{f.name}")
        zf.write(EM / "mailbox.mbox", "export/Inbox.mbox")
    fmt, msgs, errors = parse(archive)
    assert fmt == "email"
    assert [m.source_id for m in msgs] == [
        "f1@example.com", "f2@example.com", "m1@example.net", "m2@example.com",
        "m3@example.com", "m5@example.com",
    ]
    assert [e.member for e in errors] == ["export/Inbox.mbox"]


@pytest.mark.parametrize(
    ("content", "score"),
    [
        (b"From: a@example.org\nSubject: hi\n\nbody\n", 0.95),
        (b"Received: from x\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nbody\n", 0.95),
        (b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: x\n\nbody\n", 0.95),
        (b"From,To,Subject\na@b,c@d,hi\n", 0.0),  # a CSV
        (b"From the desk of the director:\nplease read.\n", 0.0),  # prose
        (b"From someone\nnot headers at all\n", 0.0),
        (b'{"From": "a", "Subject": "b"}\n', 0.0),
        (b"Subject: only one header\n\nbody\n", 0.0),
        (b"X-Custom: 1\nX-Other: 2\n\nbody\n", 0.0),
    ],
)
def test_sniff_by_content(tmp_path: Path, content: bytes, score: float) -> None:
    p = tmp_path / "unknown.dat"
    p.write_bytes(content)
    assert EmailImporter.sniff(open_source(p)) == score


@pytest.mark.parametrize(
    "content",
    [b"just some words\n", b"\x00\x01binary", b"From,To\n1,2\n"],
)
def test_not_email_is_rejected_when_forced(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "x.eml"
    p.write_bytes(content)
    with pytest.raises(ImportRejected, match=r"x.eml, line 1: not an email"):
        parse(p, "email")


def test_folder_without_email_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ImportRejected, match="no email message"):
        parse(tmp_path, "email")


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        # RFC 2047 base64 UTF-8 display name; key lower-cased, handle as written
        ("threat_utf8.eml", "author.key", "vigilante.anonimo@example.net"),
        ("threat_utf8.eml", "author.display_name", "Vigilante Anônimo"),
        ("threat_utf8.eml", "author.handle", "Vigilante.Anonimo@Example.NET"),
        ("threat_utf8.eml", "subject", "Último aviso 😡"),  # base64 UTF-8 with emoji
        ("threat_utf8.eml", "recipients", [
            ("ana.ferreira@example.org", "Ana Lúcia Ferreira"),
            ("jose.goncalves@example.org", "José Gonçalves"),  # Q-encoded ISO-8859-1
            ("imprensa@example.org", None),
        ]),
        ("threat_utf8.eml", "source_id", "20240301100000.ABC123@mail.example.net"),
        ("threat_utf8.eml", "reply_to", None),
        ("html_only_latin1.eml", "subject", "Tu dirección ya es pública"),
        ("mixed_attachments.eml", "author.display_name", "Jean-Pierre Côté"),
        ("mixed_attachments.eml", "reply_to", "20240301100000.ABC123@mail.example.net"),
        ("mixed_attachments.eml", "conversation_key", "20240301100000.ABC123@mail.example.net"),
        ("mixed_attachments.eml", "subject", "Dossier sur la campagne de harcèlement"),
        ("raw_utf8_headers.eml", "author.display_name", "Sébastien Durand"),  # raw 8-bit
        ("raw_utf8_headers.eml", "subject", "Arrête tout"),
        ("takeout.mbox", "conversation_key", "CAF+root@mail.example.org"),
        ("takeout.mbox", "reply_to", "CAF+original@mail.example.org"),
        ("takeout.mbox", "labels", ["Inbox", "Ameaças", "Opened"]),
    ],
)
def test_headers(name: str, field: str, expected: Any) -> None:
    msg = one(name)
    value: Any
    if field == "subject":
        value = msg.conversation_title
    elif field == "labels":
        value = msg.extra.get("labels")
    elif field == "recipients":
        value = [(r.key, r.display_name) for r in msg.recipients]
    elif field.startswith("author."):
        value = getattr(msg.author, field.split(".", 1)[1])
    else:
        value = getattr(msg, field)
    assert value == expected


@pytest.mark.parametrize(
    ("name", "timestamp", "note"),
    [
        ("threat_utf8.eml", datetime(2024, 3, 1, 7, tzinfo=timezone(timedelta(hours=-3))), None),
        ("raw_utf8_headers.eml", datetime(2024, 3, 7, 8, tzinfo=UTC), None),  # -0000 is UTC
        ("garbled_date.eml", None, "unreadable Date header: 'sometime last tuesday'"),
    ],
)
def test_dates(name: str, timestamp: datetime | None, note: str | None) -> None:
    msg = one(name)
    assert msg.timestamp == timestamp
    if timestamp is not None:
        assert msg.timestamp is not None and msg.timestamp.utcoffset() == timestamp.utcoffset()
    assert msg.extra.get("date_note") == note


@pytest.mark.parametrize(
    ("date_header", "naive", "note"),
    [
        ("Date: Mon, 04 Mar 2024 10:00:00\n", True, "Date header has no time zone"),
        ("", None, "no Date header"),
        ("Date: 99 Foo 2024 99:99\n", None, "unreadable Date header"),
        ("Date: Mon, 04 Mar 2024 10:00:00 +0530\n", False, None),
    ],
)
def test_date_quirks(tmp_path: Path, date_header: str, naive: bool | None, note: str) -> None:
    p = tmp_path / "d.eml"
    p.write_text(f"From: a@example.org\nSubject: x\n{date_header}\nbody\n", encoding="utf-8")
    _, (msg,), errors = parse(p)
    assert not errors
    if naive is None:
        assert msg.timestamp is None
    else:
        assert msg.timestamp is not None and (msg.timestamp.tzinfo is None) is naive
    if note is None:
        assert "date_note" not in msg.extra
    else:
        assert msg.extra["date_note"].startswith(note)


# --------------------------------------------------------------------------- bodies


def test_subject_heads_the_text() -> None:
    msg = one("threat_utf8.eml")
    assert msg.text.startswith("Subject: Último aviso 😡\n\nAna,\n\nSabemos onde você mora")
    assert msg.text.endswith("Último aviso.")


@pytest.mark.parametrize(
    ("name", "text", "note"),
    [
        ("wrong_charset.eml",
         "Subject: cobarde\n\nEres una cobarde, señora. Ya sabemos dónde está tu oficina.",
         "body is not valid utf-8; decoded as cp1252"),
        ("unknown_charset.eml", "Subject: klingon\n\nVocê não vai escapar.",
         "unknown charset 'x-mac-klingon'; decoded as utf-8"),
        ("threat_utf8.eml", None, None),  # declared charset right: no note
        ("html_only_latin1.eml", None, None),
    ],
)
def test_charsets(name: str, text: str | None, note: str | None) -> None:
    msg = one(name)
    if text is not None:
        assert msg.text == text
    assert msg.extra.get("charset_note") == note


def test_html_only_is_converted() -> None:
    msg = one("html_only_latin1.eml")
    assert msg.extra["converted_from_html"] is True
    assert msg.text == (
        "Subject: Tu dirección ya es pública\n\n"
        "Señora Ferreira,\n\n"
        "Tu dirección ya circula en el foro <https://foro.example.com/t/123>. "
        "Deja de «defender» a los invasores.\n\n"
        "- Calle Falsa 123\n- Belém, Pará"
    )
    assert "track()" not in msg.text and "color:red" not in msg.text


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("x<br>y", "x\ny"),
        ("<a href='https://e.org'>https://e.org</a>", "https://e.org"),
        ("<a href='javascript:x()'>click</a>", "click"),
        ("caf&eacute; &amp; p&atilde;o", "café & pão"),
        ("<style>.a{}</style><script>x</script>ok", "ok"),
    ],
)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


def test_alternative_prefers_plain_and_lists_attachments() -> None:
    msg = one("mixed_attachments.eml")
    assert "HTML version" not in msg.text
    assert "harcèlement coordonnée contre toi" in msg.text
    assert [(a.name, a.mime_type, a.size) for a in msg.attachments] == [
        ("dossiê campanha.pdf", "application/pdf", 66),  # RFC 2231 file name
        ("capture.png", "image/png", 15),
    ]


def test_forwarded_message_is_its_own_record() -> None:
    _, msgs, errors = parse(EM / "forwarded.eml")
    assert not errors
    outer, inner = msgs
    assert outer.text.endswith("Te lo reenvío para que lo guardes.")
    assert [(a.name, a.mime_type) for a in outer.attachments] == [
        ("you have been warned.eml", "message/rfc822"),
    ]
    assert inner.author is not None and inner.author.key == "concerned.citizen@example.com"
    assert inner.text == (
        "Subject: you have been warned\n\n"
        "Tell your friend Ana to stop. We know where her office is."
    )
    assert inner.forwarded_from == "lucia@example.mx"
    assert inner.extra["forwarded_in"] == "fwd-7@example.mx"
    assert inner.source_id == "inner-1@example.com"
    assert inner.timestamp == datetime(2024, 3, 4, 20, tzinfo=UTC)
    assert inner.locator == outer.locator


# --------------------------------------------------------------------------- mbox


@pytest.mark.parametrize("name", ["mailbox.mbox", "crlf.mbox"])
def test_mbox_split_and_quoting(name: str) -> None:
    _, msgs, errors = parse(EM / name)
    assert [m.source_id for m in msgs] == [
        "m1@example.net", "m2@example.com", "m3@example.com", "m5@example.com",
    ]
    assert msgs[1].text == (
        "Subject: segundo\n\nLinha normal.\n"
        "From here on, you are being watched.\n"
        ">From quoted twice.\n"
        "From a line not preceded by a blank line is body, not a separator."
    )
    assert msgs[2].timestamp is None and msgs[2].extra["date_note"] == "no Date header"
    assert msgs[3].author is not None and msgs[3].author.display_name == "Último"
    assert [(e.where, e.message) for e in errors] == [
        ("line 31", "no email headers (From, Date, Subject...) found"),
    ]


@pytest.mark.parametrize(
    "name", ["mailbox.mbox", "crlf.mbox", "takeout.mbox", "thunderbird.mbox", "netscape.mbox"]
)
def test_mbox_locators_point_into_the_original(name: str) -> None:
    raw = (EM / name).read_bytes()
    lines = raw.splitlines(keepends=True)
    _, msgs, _ = parse(EM / name)
    previous_end = 0
    for m in msgs:
        loc = m.locator
        assert loc.member == name
        assert loc.byte_start is not None and loc.byte_end is not None
        assert loc.line_start is not None and loc.line_end is not None
        assert loc.byte_start >= previous_end
        previous_end = loc.byte_end
        chunk = raw[loc.byte_start : loc.byte_end]
        assert chunk.startswith(b"From ")
        assert (m.source_id or "").encode() in chunk
        assert b"".join(lines[loc.line_start - 1 : loc.line_end]) == chunk
    assert previous_end == len(raw)


THUNDERBIRD = [
    ("tb-1@example.net", "Sabemos quem você é"),
    ("tb-2@example.org", "Prints das ameaças"),
    ("tb-3@example.com", "Recado"),
    ("tb-4@advocacia.example.com", "Re: Prints das ameaças"),
    ("tb-5@example.net", "Ultimo aviso"),
]
NETSCAPE = [
    ("39EAF1C4.5A2B3C4D@example.org", "Reuniao da associacao"),
    ("39EC7E2A.1F2E3D4C@example.com", "Aviso aos invasores"),
    ("39ED4C11.7B8C9D0E@example.org", "Re: Aviso aos invasores"),
]


def _mozilla_mbox(name: str, tmp_path: Path, crlf: bool) -> Path:
    if not crlf:
        return EM / name
    p = tmp_path / name  # Thunderbird on Windows writes its folders with CRLF line ends
    p.write_bytes((EM / name).read_bytes().replace(b"\n", b"\r\n"))
    return p


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize(
    ("name", "expected"), [("thunderbird.mbox", THUNDERBIRD), ("netscape.mbox", NETSCAPE)]
)
def test_mozilla_mbox_splits_where_no_blank_line_precedes_from(
    tmp_path: Path, name: str, expected: list[tuple[str, str]], crlf: bool
) -> None:
    """Thunderbird and Netscape write the next ``From - ...`` line right after a MIME
    closing boundary or a body's last line: each one still opens a message of its own."""
    path = _mozilla_mbox(name, tmp_path, crlf)
    raw = path.read_bytes()
    _, msgs, errors = parse(path)
    assert not errors
    assert [(m.source_id, m.conversation_title) for m in msgs] == expected
    for m in msgs:
        chunk = raw[m.locator.byte_start : m.locator.byte_end]
        # No message holds another's envelope or headers.
        assert chunk.count(b"X-Mozilla-Status:") == 1
        assert chunk.count(b"\nMessage-ID:") == 1
        others = [sid for sid, _ in expected if sid != m.source_id]
        assert not any(sid in m.text for sid in others)
        assert "X-Mozilla" not in m.text and "Message-ID" not in m.text


def test_thunderbird_mbox_messages_read_whole() -> None:
    _, msgs, _ = parse(EM / "thunderbird.mbox")
    alt, mixed, plain, qp, last = msgs
    assert alt.text == (
        "Subject: Sabemos quem você é\n\nMarina,\n\n"
        "Sabemos quem você é e onde fica a sede da associação.\nPare com as denúncias."
    )
    assert [(a.name, a.size) for a in mixed.attachments] == [("lista-de-links.txt", 54)]
    assert mixed.text.endswith("Guardei os originais tambem.")
    # ``>From`` is unquoted; ``From `` lines not followed by headers stay in the body, even
    # one that looks like an envelope line.
    assert plain.text == (
        'Subject: Recado\n\nRecado para a "defensora":\n'
        "From the riverside we see your house every night.\n"
        "From 22:00 on, nobody will protect you there.\n"
        "From now on, think twice before you speak.\n"
        "From - this is not a separator either, just a dash\n"
        "From - Sun Jan 15 21:45:02 2023 is when I wrote this.\n"
        "From: the people who are watching\n---"
    )
    assert qp.reply_to == "tb-2@example.org"
    assert qp.text.endswith("Não responda as mensagens.")
    assert last.text == "Subject: Ultimo aviso\n\nUltimo aviso. Depois nao diga que nao avisamos."


@pytest.mark.parametrize(
    ("following", "splits"),
    [
        (b"From: a@b\nSubject: x\n\nhi\n", True),
        (b"X-Mozilla-Status: 0001\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nTo: c@d\n\nhi\n", True),
        (b"nobody will protect you\n", False),
        (b"From: the people watching\n---\n", False),  # one header-like line is prose
        (b"", False),  # a last line of the file
    ],
)
def test_from_line_without_blank_line_splits_only_before_headers(
    following: bytes, splits: bool
) -> None:
    first = b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: first\n\nbody\n"
    candidate = b"From - Tue Jan  2 10:00:00 2024\n"
    entries = list(iter_mbox(io.BytesIO(first + candidate + following), 1 << 20))
    assert len(entries) == (2 if splits else 1)
    assert entries[-1].byte_end == len(first + candidate + following)
    if splits:
        assert entries[0].body == b"From: a@b\nSubject: first\n\nbody\n"
        assert entries[1].body == following
    else:
        assert entries[0].body is not None and entries[0].body.endswith(candidate + following)


def test_from_line_without_a_time_is_not_an_envelope() -> None:
    """Quoted correspondence in a body ("From Ana" over a few header-like lines) is not a
    separator: without a blank line before it, only an envelope line (with a time) splits."""
    first = b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: first\n\nbody\n"
    quoted = b"From Ana Souza\nDate: Monday\nSubject: the meeting\n\nsee you there\n"
    entries = list(iter_mbox(io.BytesIO(first + quoted), 1 << 20))
    assert len(entries) == 1 and entries[0].body is not None
    assert entries[0].body.endswith(quoted)


def test_mbox_of_only_a_byte_order_mark_has_no_messages() -> None:
    assert list(iter_mbox(io.BytesIO(b"\xef\xbb\xbf"), 1 << 20)) == []


def test_eml_locator_covers_the_file() -> None:
    msg = one("threat_utf8.eml")
    n = len((EM / "threat_utf8.eml").read_bytes().splitlines())
    assert (msg.locator.member, msg.locator.line_start, msg.locator.line_end) == (
        "threat_utf8.eml", 1, n,
    )


def test_mbox_envelope_kept() -> None:
    msg = one("takeout.mbox")
    assert msg.extra["envelope"].startswith("From 1792345678901234567@xxx")


def _mbox_bytes(n: int, body_lines: int = 20) -> bytes:
    out = io.BytesIO()
    for i in range(n):
        out.write(
            f"From sender{i}@example.org Mon Jan  1 00:00:00 2024\n"
            f"From: Sender {i} <sender{i}@example.org>\nTo: ana@example.org\n"
            f"Subject: mensagem {i}\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n"
            f"Message-ID: <{i}@example.org>\n\n".encode()
        )
        for j in range(body_lines):
            out.write(f"Linha {j} da mensagem {i}: você vai pagar caro.\n".encode())
        out.write(b"\n")
    return out.getvalue()


class _Recorder(io.BytesIO):
    """A stream that remembers the largest single read, to prove nothing slurps the file."""

    biggest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.biggest = max(self.biggest, len(line))
        return line

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.biggest = max(self.biggest, len(data))
        return data


def test_mbox_streams_lazily() -> None:
    fh = _Recorder(_mbox_bytes(500))
    entries = iter_mbox(fh, 1 << 20)
    first = next(entries)
    assert first.byte_start == 0
    assert fh.tell() < 5000  # only the first message and one line of the next were read
    assert sum(1 for _ in entries) == 499
    assert fh.biggest < 200


def test_mbox_memory_is_flat(tmp_path: Path) -> None:
    p = tmp_path / "big.mbox"
    chunk = _mbox_bytes(1000)
    with p.open("wb") as fh:
        for _ in range(12):  # about 17 MB
            fh.write(chunk)
    size = p.stat().st_size
    tracemalloc.start()
    try:
        with p.open("rb") as fh:
            count = sum(1 for _ in iter_mbox(fh, 1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 12_000
    assert peak < size / 20, f"peak {peak} bytes for a {size}-byte mbox"


def test_oversized_message_is_a_record_error() -> None:
    entries = list(iter_mbox(io.BytesIO(_mbox_bytes(3, body_lines=200)), 4000))
    assert [e.body is None for e in entries] == [True, True, True]
    small = list(iter_mbox(io.BytesIO(_mbox_bytes(3, body_lines=2)), 4000))
    assert all(e.body is not None for e in small)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"\xef\xbb\xbfFrom a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: x\n\nhi\n", None),
        (b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: x\n\nhi", None),  # no EOL
    ],
)
def test_mbox_edges(tmp_path: Path, content: bytes, line: int | None) -> None:
    p = tmp_path / "edge.mbox"
    p.write_bytes(content)
    _, msgs, errors = parse(p)
    assert not errors and [m.text for m in msgs] == ["Subject: x\n\nhi"]
    assert msgs[0].locator.byte_end == len(content)


# --------------------------------------------------------------------------- fast path


def _both_paths(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[list[Any], list[Any]]:
    results = []
    for fast in (False, True):
        monkeypatch.setattr(EmailImporter, "fast_path", fast)
        _, msgs, errors = parse(path)
        results.append([*msgs, *errors])
    return results[0], results[1]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in [*EM.iterdir(), *(EM / "folder").iterdir()] if p.suffix != ".txt"),
    ids=lambda p: p.name,
)
def test_fast_path_matches_full_parser_on_fixtures(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    full, fast = _both_paths(monkeypatch, path)
    assert fast == full
    assert [repr(x) for x in fast] == [repr(x) for x in full]  # same zones and key order too


_HEAD = "From: Sender <sender@example.org>\nDate: Mon, 04 Mar 2024 10:00:00 -0300\n"


@pytest.mark.parametrize(
    ("raw", "takes_fast_path"),
    [
        (_HEAD + "To: a@example.org\nSubject: =?utf-8?q?Aviso_0=3A_voc=C3=AA?=\n"
         "Message-ID: <1@x>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: 8bit\n\nOlá, você.\n", True),
        ((_HEAD + "Subject: Re: =?utf-8?b?w5psdGltbw==?=\n =?UTF-8?Q?_aviso?= x\n\nbody\n")
         .replace("\n", "\r\n"), True),
        (_HEAD + 'To: "Doe,  John" <j@x.org>, Ana =?utf-8?q?L=C3=BAcia?=  Ferreira <A@X.org>,'
         " plain@x.org\nCc: =?iso-8859-1?q?Gon=E7alves?= <g@x>\nSubject: s\n\nbody\n", True),
        (_HEAD + "Subject: q\nContent-Type: text/plain; charset=iso-8859-1\n"
         "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nsoft break\n", True),
        (_HEAD + "Subject: b\nContent-Type: Text/Plain; Charset=\"UTF-8\"; format=flowed\n"
         "Content-Transfer-Encoding: base64\n\nT2zDoSwgdm9jw6oK\n", True),
        (_HEAD + "Subject: h\nContent-Type: text/html; charset=utf-8\n"
         "Content-Disposition: inline\n\n<p>Olá <a href='https://e.org'>x</a></p>\n", True),
        (_HEAD + "Subject: w\nContent-Type: text/plain; charset=utf-8\n\ncaf\xe9\n", True),
        (_HEAD + "Subject: k\nContent-Type: text/plain; charset=x-klingon\n\nnão\n", True),
        (_HEAD + "Subject: =?utf-8?q?_lead?= and x=?utf-8?q?a?=\nIn-Reply-To: <p@x>\n"
         "References: <r@x> <p@x>\nX-Gmail-Labels: Inbox,=?UTF-8?Q?Amea=C3=A7as?=\n\nb\n",
         None),
        ("Subject: only headers\nMessage-ID: <3@x>\n\n\n", True),
        # left to the stdlib parser
        (_HEAD + "To: friends: a@x, b@x;\nSubject: group\n\nbody\n", False),
        (_HEAD + "To: a@x (comment)\nSubject: comment\n\nbody\n", False),
        (_HEAD + "Subject: Arrête\n\nraw 8-bit header\n", False),
        (_HEAD + "Subject: =?x-unknown?q?a?=\n\nbody\n", False),
        (_HEAD + "Subject: m\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n",
         False),
        (_HEAD + "Subject: a\nContent-Disposition: attachment; filename=a.txt\n\nx\n", False),
    ],
)
def test_fast_path_matches_full_parser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str, takes_fast_path: bool | None
) -> None:
    data = raw.encode("latin-1" if "caf\xe9" in raw else "utf-8")
    p = tmp_path / "m.eml"
    p.write_bytes(data)
    full, fast = _both_paths(monkeypatch, p)
    assert fast == full
    assert [repr(x) for x in fast] == [repr(x) for x in full]
    if takes_fast_path is not None:
        split = _split_simple(data)
        accepted = split is not None and (
            not split[0].keys() & {"from", "subject", "date", "message-id", "received"}
            or _fast_read(split[0], split[1], {}) is not None
        )
        assert accepted is takes_fast_path
