from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from amparo.domain import MessageKind, ParsedMessage
from amparo.ingest import ImportRejected
from amparo.ingest.discord import DiscordImporter
from amparo.ingest.sources import open_source
from tests.ingest.helpers import FIXTURES, parse

DC = FIXTURES / "discord"
CHANNEL = DC / "Coletivo Terra Livre - Comunidade - denúncias [1121314151617181920].json"
DM = DC / "dm_with_media"
DM_FILE = "Direct Messages - ruido_patriota [1219000000000000000].json"
FILES = f"{DM_FILE}_Files"
BOGOTA = timezone(timedelta(hours=-5))


@pytest.fixture(scope="module")
def channel() -> dict[str, ParsedMessage]:
    fmt, msgs, errors = parse(CHANNEL)
    assert fmt == "discord"
    assert [(e.where, e.message) for e in errors] == [("$.messages[8]", "no timestamp")]
    return {(m.source_id or "")[-2:]: m for m in msgs}


def write_json(tmp_path: Path, obj: Any, name: str = "export.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")
    return p


def minimal(messages: list[Any]) -> dict[str, Any]:
    return {
        "guild": {"id": "1", "name": "G", "iconUrl": ""},
        "channel": {"id": "2", "type": "GuildTextChat", "name": "c"},
        "dateRange": {"after": None, "before": None},
        "messages": messages,
    }


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CHANNEL, DM], ids=["file", "folder-with-media"])
def test_detected_automatically(path: Path) -> None:
    assert parse(path)[0] == "discord"
    source = open_source(path)
    try:
        assert DiscordImporter.sniff(source) >= 0.9
    finally:
        source.close()


def test_zip_with_media_detected_and_linked(tmp_path: Path) -> None:
    z = tmp_path / "discord.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(DM.rglob("*")):
            if f.is_file():
                zf.write(f, f"export/{f.relative_to(DM).as_posix()}")
    fmt, msgs, _ = parse(z)
    assert fmt == "discord"
    assert msgs[1].attachments[0].member == f"export/{FILES}/porta-5F3A1.jpg"


@pytest.mark.parametrize(
    "content",
    [
        '{"name": "Chat", "type": "personal_chat", "id": 1, "messages": []}',  # Telegram
        '{"guild": {"id": "1"}, "members": []}',  # guild without channel
        '[{"ts": "1710456090.000003", "type": "message"}]',  # Slack day
        '{"messages": [{"id": "1", "content": "x"}]}',
    ],
    ids=["telegram", "guild-only", "slack", "no-guild"],
)
def test_other_json_not_sniffed(tmp_path: Path, content: str) -> None:
    p = tmp_path / "x.json"
    p.write_text(content, encoding="utf-8")
    source = open_source(p)
    try:
        assert DiscordImporter.sniff(source) == 0.0
    finally:
        source.close()


# --- channel export ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "kind", "text"),
    [
        ("01", MessageKind.SYSTEM, "Joined the server."),
        ("02", MessageKind.USER, "@Lucía Mendoza você vai se arrepender. Sabemos onde você mora. "
                                 "https://example.org/dossie"),
        ("03", MessageKind.USER, "Ya lo reporté a la moderación. Lucía, no estás sola."),
        ("05", MessageKind.SYSTEM, "Pinned a message."),
        ("06", MessageKind.USER, "Cette « défenseure » est payée par l'étranger."),
        ("10", MessageKind.SYSTEM, "Started a call that lasted 0 minutes."),
        ("11", MessageKind.SYSTEM, "Started a thread."),
        ("12", MessageKind.USER, "Thank you all. I have saved every message as evidence."),
    ],
)
def test_kinds_and_text(
    channel: dict[str, ParsedMessage], suffix: str, kind: MessageKind, text: str
) -> None:
    assert channel[suffix].kind is kind
    assert channel[suffix].text == text


def test_conversation_and_locator(channel: dict[str, ParsedMessage]) -> None:
    m = channel["02"]
    assert m.source_id == "1217000000000000002"
    assert m.conversation_key == "1121314151617181920"
    assert m.conversation_title == "Coletivo Terra Livre / Comunidade / #denúncias"
    assert m.locator.member == CHANNEL.name and m.locator.json_path == "$.messages[1]"
    assert [r.key for r in m.recipients] == ["401122334455667788"]  # mentions


@pytest.mark.parametrize(
    ("suffix", "key", "handle", "display"),
    [
        ("02", "409988776655443322", "ruido_patriota", "Ruído Patriota"),
        ("03", "402233445566778899", "anasouza", "Ana (Rede DH)"),  # nickname
        ("08", "405566778899001122", "Verdad Desnuda#4821", "Verdad Desnuda"),  # legacy tag
    ],
)
def test_authors(
    channel: dict[str, ParsedMessage], suffix: str, key: str, handle: str, display: str
) -> None:
    author = channel[suffix].author
    assert author is not None
    assert (author.key, author.handle, author.display_name) == (key, handle, display)


@pytest.mark.parametrize(
    ("suffix", "reply_to", "reference"),
    [
        ("03", "1217000000000000002", None),  # Reply
        ("05", None, "1217000000000000002"),  # pin: reference kept in extra, not a reply
        ("02", None, None),
    ],
)
def test_references(
    channel: dict[str, ParsedMessage], suffix: str, reply_to: str | None, reference: str | None
) -> None:
    assert channel[suffix].reply_to == reply_to
    assert channel[suffix].extra.get("reference") == reference


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("02", datetime(2024, 3, 14, 22, 41, 30, 512000, tzinfo=BOGOTA)),
        ("06", datetime(2024, 3, 15, 3, 10, 44, 120000, tzinfo=UTC)),
        ("08", datetime(2020, 9, 20, 16, 3, 28, 37000, tzinfo=UTC)),  # 7-digit fraction
    ],
)
def test_timestamps_keep_offset(
    channel: dict[str, ParsedMessage], suffix: str, expected: datetime
) -> None:
    ts = channel[suffix].timestamp
    assert ts == expected and ts is not None and ts.utcoffset() == expected.utcoffset()


def test_edited_embeds_bots_attachments(channel: dict[str, ParsedMessage]) -> None:
    assert channel["06"].extra["edited"] == "2024-03-15T03:12:01.000+00:00"
    bot = channel["07"]
    assert bot.text == "تحذير\nتم حذف رسالة تحتوي على تهديد."
    assert bot.extra["author_is_bot"] is True
    (att,) = channel["04"].attachments
    assert (att.name, att.size, att.member) == ("casa.jpg", 184233, None)
    assert channel["04"].extra["attachment_urls"][0].startswith("https://cdn.discordapp.com/")
    assert channel["04"].extra["reactions"][0]["count"] == 4
    assert channel["12"].extra["pinned"] is True


# --- DM with media -------------------------------------------------------------------------


def test_dm_media_linked() -> None:
    fmt, msgs, errors = parse(DM)
    assert fmt == "discord" and not errors
    assert msgs[0].conversation_title == "ruido_patriota"
    assert msgs[1].attachments[0].member == f"{FILES}/porta-5F3A1.jpg"
    # URL-encoded relative path
    assert msgs[2].attachments[0].member == f"{FILES}/lista defensoras-9C2B0.pdf"
    # Referenced but not present in the folder: no member, the path kept.
    assert msgs[3].attachments[0].member is None
    assert msgs[3].extra["attachment_urls"] == [f"{FILES}/audio-00000.ogg"]
    assert msgs[4].reply_to == "1219000000000000102"


def test_folder_with_several_channels_and_foreign_json(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(CHANNEL, folder / CHANNEL.name)
    shutil.copy(DM / DM_FILE, folder / DM_FILE)
    (folder / "notes.json").write_text('{"note": "not an export"}', encoding="utf-8")
    fmt, msgs, errors = parse(folder)
    assert fmt == "discord" and len(errors) == 1
    assert {m.conversation_key for m in msgs} == {"1121314151617181920", "1219000000000000000"}


# --- broken input ----------------------------------------------------------------------------


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    text = CHANNEL.read_text(encoding="utf-8")
    p = tmp_path / "export.json"
    p.write_text(text[: len(text) // 3], encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"line \d+, column \d+: invalid JSON"):
        parse(p, "discord")


@pytest.mark.parametrize(
    ("obj", "where"),
    [
        ([], "$"),
        ({"guild": {}, "channel": {}}, "$.messages"),
        ({"guild": {}, "channel": {}, "messages": {}}, "$.messages"),
    ],
    ids=["list", "no-messages", "messages-object"],
)
def test_structurally_broken_is_rejected(tmp_path: Path, obj: Any, where: str) -> None:
    with pytest.raises(ImportRejected) as info:
        parse(write_json(tmp_path, obj), "discord")
    assert info.value.where == where


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (42, "message is not a JSON object"),
        ({"id": "9", "type": "Default", "content": "x"}, "no timestamp"),
        ({"id": "9", "type": "Default", "timestamp": "yesterday", "content": "x"},
         "unreadable timestamp 'yesterday'"),
    ],
)
def test_bad_record_is_skipped(tmp_path: Path, message: Any, error: str) -> None:
    good = {"id": "1", "type": "Default", "timestamp": "2024-03-01T10:00:00+00:00",
            "content": "ok", "author": {"id": "5", "name": "a", "discriminator": "0000"}}
    _, msgs, errors = parse(write_json(tmp_path, minimal([good, message])), "discord")
    assert len(msgs) == 1
    assert [(e.where, e.message) for e in errors] == [("$.messages[1]", error)]


@pytest.mark.parametrize(
    ("mtype", "kind"),
    [
        ("Default", MessageKind.USER),
        ("Reply", MessageKind.USER),
        ("GuildMemberJoin", MessageKind.SYSTEM),
        ("RecipientAdd", MessageKind.SYSTEM),
        ("ChannelNameChange", MessageKind.SYSTEM),
        (None, MessageKind.USER),  # old exports without "type"
    ],
)
def test_type_to_kind(tmp_path: Path, mtype: str | None, kind: MessageKind) -> None:
    msg: dict[str, Any] = {"id": "1", "timestamp": "2024-03-01T10:00:00Z", "content": ""}
    if mtype:
        msg["type"] = mtype
    _, msgs, _ = parse(write_json(tmp_path, minimal([msg])), "discord")
    assert msgs[0].kind is kind
    if kind is MessageKind.SYSTEM:
        assert msgs[0].text == mtype  # empty content falls back to the event name
