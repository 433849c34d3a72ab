from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amparo.domain import MessageKind, ParsedMessage
from amparo.ingest import ImportRejected
from amparo.ingest.sources import open_source
from amparo.ingest.telegram import TelegramImporter
from tests.ingest.helpers import FIXTURES, parse, user_messages

TG = FIXTURES / "telegram"
SINGLE = TG / "result.json"
FOLDER = TG / "ChatExport_2024-03-15"
FULL = TG / "full_account"


@pytest.fixture(scope="module")
def single() -> dict[str, ParsedMessage]:
    fmt, msgs, errors = parse(SINGLE)
    assert fmt == "telegram"
    assert [(e.where, e.message) for e in errors] == [("$.messages[14]", "no date")]
    return {m.source_id or "": m for m in msgs}


def zip_dir(folder: Path, dest: Path, top: str | None = None) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                rel = f.relative_to(folder).as_posix()
                zf.write(f, f"{top}/{rel}" if top else rel)
    return dest


def write_json(tmp_path: Path, obj: Any, name: str = "result.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    return p


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SINGLE, FOLDER, FULL], ids=["bare", "folder", "full-account"])
def test_detected_automatically(path: Path) -> None:
    assert parse(path)[0] == "telegram"
    source = open_source(path)
    try:
        assert TelegramImporter.sniff(source) >= 0.9
    finally:
        source.close()


@pytest.mark.parametrize("top", [None, "ChatExport_2024-03-15"], ids=["flat", "top-folder"])
def test_zip_detected_and_media_linked(tmp_path: Path, top: str | None) -> None:
    z = zip_dir(FOLDER, tmp_path / "telegram.zip", top)
    fmt, msgs, errors = parse(z)
    assert fmt == "telegram" and not errors
    prefix = f"{top}/" if top else ""
    assert msgs[0].locator.member == f"{prefix}result.json"
    assert msgs[1].attachments[0].member == f"{prefix}photos/photo_1@12-03-2024_19-01-00.jpg"


def test_renamed_bare_export_is_still_recognised(tmp_path: Path) -> None:
    p = tmp_path / "lucia_chat_export.json"
    shutil.copy(SINGLE, p)
    assert parse(p)[0] == "telegram"


@pytest.mark.parametrize(
    "content",
    [
        '{"messages": [{"id": 1, "text": "hola", "date": "2024-03-01"}]}',  # no Telegram marker
        '[{"id": 1, "type": "message"}]',
        '{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": []}',  # Discord
        '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", '
        '"timestamp_ms": 1}], "title": "A"}',  # Facebook Messenger
    ],
    ids=["plain-messages", "list", "discord", "messenger"],
)
def test_other_json_not_sniffed(tmp_path: Path, content: str) -> None:
    p = tmp_path / "result.json"
    p.write_text(content, encoding="utf-8")
    source = open_source(p)
    try:
        assert TelegramImporter.sniff(source) == 0.0
    finally:
        source.close()


# --- single-chat export ----------------------------------------------------------------------


def test_conversation_and_locators(single: dict[str, ParsedMessage]) -> None:
    m = single["3"]
    assert m.conversation_key == "1987654321"
    assert m.conversation_title == "Rede Defensoras do Vale"
    assert m.locator.member == "result.json" and m.locator.json_path == "$.messages[2]"
    assert m.extra["chat_type"] == "private_supergroup"
    assert m.author is not None and m.author.key == "user100200300"
    assert m.author.display_name == "Lucía Mendoza"


@pytest.mark.parametrize(
    ("msg_id", "action", "text_part"),
    [
        ("1", "create_group", "created the group «Rede Defensoras do Vale»"),
        ("2", "invite_members", "invited Ana Souza, Karim Benali"),
        ("4", "join_group_by_link", "Ruído Patriota joined the group by invite link"),
        ("16", "pin_message", "pinned a message #5"),
        ("17", "phone_call", "phone call (0 s) [missed]"),
    ],
)
def test_service_messages_are_system(
    single: dict[str, ParsedMessage], msg_id: str, action: str, text_part: str
) -> None:
    m = single[msg_id]
    assert m.kind is MessageKind.SYSTEM
    assert m.extra["action"] == action
    assert text_part in m.text
    assert m.author is not None  # the actor


@pytest.mark.parametrize("msg_id", ["3", "5", "6", "7", "12", "18"])
def test_ordinary_messages_are_user(single: dict[str, ParsedMessage], msg_id: str) -> None:
    assert single[msg_id].kind is MessageKind.USER


def test_text_with_entities(single: dict[str, ParsedMessage]) -> None:
    m = single["5"]
    assert m.text == (
        "@lucia_mendoza_dh você vai se arrepender. Sabemos onde você mora. #ForaLucia veja: "
        "https://example.org/dossie e as fotos"
    )
    assert m.extra["links"] == ["https://example.org/dossie", "https://files.example.net/lucia-casa"]
    assert m.extra["mentions"] == ["@lucia_mendoza_dh"]


@pytest.mark.parametrize(
    ("msg_id", "text"),
    [
        ("3", "Hola a todas. Este grupo es para documentar los ataques contra la defensa del "
              "territorio en el Valle."),
        ("12", "ستدفعين ثمن ما تفعلينه يا لوسيا"),
        ("19", "Texto só em entidades: cuidado na estrada"),  # empty text, only text_entities
        ("9", ""),
    ],
)
def test_text_forms(single: dict[str, ParsedMessage], msg_id: str, text: str) -> None:
    assert single[msg_id].text == text


@pytest.mark.parametrize(
    ("msg_id", "reply_to", "forwarded_from"),
    [("6", "5", None), ("7", None, "Verdade Nua"), ("3", None, None)],
)
def test_replies_and_forwards(
    single: dict[str, ParsedMessage], msg_id: str, reply_to: str | None,
    forwarded_from: str | None,
) -> None:
    assert single[msg_id].reply_to == reply_to
    assert single[msg_id].forwarded_from == forwarded_from


def test_poll_into_text(single: dict[str, ParsedMessage]) -> None:
    m = single["8"]
    assert m.text == "Poll: Quem acredita na Lucía?\n- Ninguém (11 votes)\n- Eu (1 vote)"
    assert m.extra["poll"]["total_voters"] == 12


@pytest.mark.parametrize(
    ("msg_id", "name", "mime", "omitted", "media_type"),
    [
        ("7", None, "image/jpeg", True, None),
        ("9", "dossie_lucia.pdf", "application/pdf", True, None),
        ("10", None, "audio/ogg", True, "voice_message"),
        ("11", "sticker.webp", "image/webp", False, "sticker"),  # path given, file not brought
    ],
)
def test_media_placeholders(
    single: dict[str, ParsedMessage], msg_id: str, name: str | None, mime: str,
    omitted: bool, media_type: str | None,
) -> None:
    (att,) = single[msg_id].attachments
    assert (att.name, att.mime_type, att.omitted, att.member) == (name, mime, omitted, None)
    assert single[msg_id].extra.get("media_type") == media_type


@pytest.mark.parametrize(
    ("msg_id", "key", "display", "deleted"),
    [
        ("12", "user777888999", None, True),  # "from": null, from_id kept
        ("13", "Anónimo", "Anónimo", False),  # old export without from_id
        ("19", None, None, True),  # neither
        ("6", "user200300400", "Ana Souza", False),
    ],
)
def test_authors_and_deleted_accounts(
    single: dict[str, ParsedMessage], msg_id: str, key: str | None, display: str | None,
    deleted: bool,
) -> None:
    m = single[msg_id]
    if key is None:
        assert m.author is None
    else:
        assert m.author is not None
        assert (m.author.key, m.author.display_name) == (key, display)
    assert m.extra.get("author_deleted", False) is deleted


@pytest.mark.parametrize(
    ("msg_id", "expected"),
    [
        # date_unixtime wins: 2024-03-10T08:05:00 local (UTC-5) is 13:05 UTC.
        ("3", datetime(2024, 3, 10, 13, 5, tzinfo=UTC)),
        # Only "date": local time, zone unknown, left naive.
        ("14", datetime(2024, 3, 15, 7, 30)),
    ],
)
def test_timestamps(single: dict[str, ParsedMessage], msg_id: str, expected: datetime) -> None:
    ts = single[msg_id].timestamp
    assert ts == expected
    assert (ts is not None and ts.tzinfo is not None) is (expected.tzinfo is not None)


def test_edited(single: dict[str, ParsedMessage]) -> None:
    assert single["18"].extra["edited"] == "2024-03-15T14:21:10+00:00"


# --- folder with media, full-account export --------------------------------------------------


def test_folder_links_present_media_only() -> None:
    _, msgs, errors = parse(FOLDER)
    assert not errors
    by_id = {m.source_id: m for m in msgs}
    assert by_id["2"].attachments[0].member == "photos/photo_1@12-03-2024_19-01-00.jpg"
    assert by_id["2"].attachments[0].size == 2345
    assert by_id["3"].attachments[0].member == "files/lista_defensoras.pdf"
    assert by_id["4"].attachments[0].member == "voice_messages/audio_1@12-03-2024_19-04-00.ogg"
    missing = by_id["6"].attachments[0]
    assert missing.member is None and not missing.omitted
    assert by_id["5"].reply_to == "2"


def test_full_account_export() -> None:
    fmt, msgs, errors = parse(FULL)
    assert fmt == "telegram"
    assert [(e.where, e.message) for e in errors] == [
        ("$.chats.list[3]", "chat has no 'messages' list")
    ]
    paths = [m.locator.json_path for m in msgs]
    assert paths == [
        "$.chats.list[0].messages[0]", "$.chats.list[0].messages[1]",
        "$.chats.list[1].messages[0]", "$.chats.list[1].messages[1]",
        "$.left_chats.list[0].messages[0]", "$.left_chats.list[0].messages[1]",
    ]
    assert [m.conversation_key for m in msgs] == [
        "555000111", "555000111", "1700800900", "1700800900", "1600700800", "1600700800",
    ]
    # One-to-one chat: the other party is known from personal_information.
    assert [(r.key, r.display_name) for r in msgs[0].recipients] == [
        ("user100200300", "Lucía Mendoza")  # the owner, named from personal_information
    ]
    assert [(r.key, r.display_name) for r in msgs[1].recipients] == [
        ("user555000111", "Ruído Patriota")
    ]
    # Channel post with a signature.
    assert msgs[3].author is not None and msgs[3].author.key == "channel1700800900"
    assert msgs[3].extra["author"] == "Editor X"
    assert len(user_messages(msgs)) == 4


# --- broken input ----------------------------------------------------------------------------


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    text = SINGLE.read_text(encoding="utf-8")
    p = tmp_path / "result.json"
    p.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"result\.json, line \d+, column \d+: invalid JSON"):
        parse(p, "telegram")


@pytest.mark.parametrize(
    ("obj", "where"),
    [
        ([1, 2], "$"),
        ({"name": "x", "type": "personal_chat", "id": 1, "messages": {"0": {}}}, "$.messages"),
        ({"about": "x", "personal_information": {}, "chats": []}, "$.chats"),
        ({"name": "x", "type": "personal_chat", "id": 1}, "$"),
    ],
    ids=["list", "messages-not-list", "chats-not-object", "no-messages"],
)
def test_structurally_broken_is_rejected(tmp_path: Path, obj: Any, where: str) -> None:
    p = write_json(tmp_path, obj)
    with pytest.raises(ImportRejected) as info:
        parse(p, "telegram")
    assert info.value.where == where


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("not an object", "message is not a JSON object"),
        ({"id": 2, "type": "message", "from": "A", "from_id": "user1", "text": "x"}, "no date"),
        ({"id": 2, "type": "message", "date": "ontem", "text": "x"}, "unreadable date 'ontem'"),
        ({"id": 2, "type": "message", "date_unixtime": "abc", "text": "x"},
         "unreadable date_unixtime 'abc'"),
    ],
)
def test_bad_record_is_skipped(tmp_path: Path, message: Any, error: str) -> None:
    good = {"id": 1, "type": "message", "date": "2024-03-01T10:00:00",
            "date_unixtime": "1709305200", "from": "A", "from_id": "user1", "text": "ok"}
    obj = {"name": "Chat", "type": "personal_chat", "id": 1, "messages": [good, message, good]}
    _, msgs, errors = parse(write_json(tmp_path, obj), "telegram")
    assert len(msgs) == 2
    assert [(e.member, e.where, e.message) for e in errors] == [
        ("result.json", "$.messages[1]", error)
    ]
