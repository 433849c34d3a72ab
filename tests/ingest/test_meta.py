from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.domain import MessageKind, ParsedMessage, Platform
from amparo.ingest import ImportRejected
from amparo.ingest.meta import FacebookImporter, InstagramImporter, repair_mojibake
from amparo.ingest.sources import open_source
from tests.ingest.helpers import FIXTURES, parse, user_messages

FB = FIXTURES / "facebook"
IG = FIXTURES / "instagram"
FB_THREAD = (
    "your_facebook_activity/messages/inbox/carlosmendes_10158765432101234/message_1.json"
)
IG_THREAD = (
    "your_instagram_activity/messages/inbox/verdade_sem_filtro_17842000000000000/message_1.json"
)


def zip_dir(src: Path, dest: Path, top: str = "") -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(src.rglob("*")):
            if f.is_file():
                zf.write(f, top + f.relative_to(src).as_posix())
    return dest


def by_member(messages: list[ParsedMessage], suffix: str) -> list[ParsedMessage]:
    return [m for m in messages if (m.locator.member or "").endswith(suffix)]


# --------------------------------------------------------------------------- mojibake


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("\u00c3\u00a9", "é"),  # how the export escapes "é"
        ("\u00f0\u009f\u0098\u00a1", "😡"),  # a four-byte emoji
        ("S\u00c3\u00a3o Jo\u00c3\u00a3o", "São João"),
        ("Voc\u00c3\u00aa", "Você"),
        ("plain ascii", "plain ascii"),
        ("", ""),
        ("é", "é"),  # genuine Latin-1: not valid UTF-8 once encoded, left alone
        ("\u00c3", "\u00c3"),  # a truncated sequence stays as it is
        ("already fine 😡", "already fine 😡"),  # above U+00FF: never mangled
        ("mixed \u00c3\u00a9 and 😡", "mixed \u00c3\u00a9 and 😡"),
        ("日本語", "日本語"),
    ],
)
def test_repair_mojibake_table(stored: str, expected: str) -> None:
    assert repair_mojibake(stored) == expected


@given(st.text())
def test_repair_inverts_the_export_encoding(text: str) -> None:
    # Meta writes the UTF-8 bytes as Latin-1 code points, JSON-escaped as \u00XX.
    escaped = json.dumps(text.encode("utf-8").decode("latin-1"))
    assert repair_mojibake(json.loads(escaped)) == text


def test_fixtures_really_are_mojibake() -> None:
    raw = (FB / "export_2024" / FB_THREAD).read_text(encoding="ascii")
    assert "\\u00c3\\u00aa" in raw and "\\u00f0\\u009f\\u0098\\u00a1" in raw
    assert raw.isascii()


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (FB / "export_2024", "facebook"),
        (FB / "export_legacy", "facebook"),
        (FB / "single", "facebook"),
        (FB / "single" / "message_1.json", "facebook"),  # ambiguous lone thread: Facebook
        (IG / "export_2024", "instagram"),
        (IG / "export_legacy", "instagram"),
        (IG / "single" / "message_1.json", "instagram"),  # instagram.com share link
        (IG / "single", "instagram"),
    ],
)
def test_auto_detection_chooses_meta(path: Path, expected: str) -> None:
    fmt, msgs, _ = parse(path)
    assert fmt == expected
    assert msgs and all(m.platform is Platform(expected) for m in msgs)


@pytest.mark.parametrize(
    ("folder", "top", "expected"),
    [
        (FB / "export_2024", "", "facebook"),
        (FB / "export_2024", "facebook-analucia-20240312/", "facebook"),
        (IG / "export_2024", "instagram-analucia.defensora-2024-03-12/", "instagram"),
    ],
)
def test_zip_detection_and_attachment_links(
    tmp_path: Path, folder: Path, top: str, expected: str
) -> None:
    archive = zip_dir(folder, tmp_path / "export.zip", top)
    fmt, msgs, _ = parse(archive)
    assert fmt == expected
    linked = [a for m in msgs for a in m.attachments if a.member]
    assert linked and all(a.member and a.member.startswith(top) for a in linked)
    assert all(a.size == 13 for a in linked)


@pytest.mark.parametrize(
    ("path", "fb", "ig"),
    [
        (FB / "export_2024", 0.95, 0.0),
        (IG / "export_2024", 0.0, 0.95),
        (FB / "single" / "message_1.json", 0.85, 0.75),
    ],
)
def test_sniff_scores(path: Path, fb: float, ig: float) -> None:
    source = open_source(path)
    assert FacebookImporter.sniff(source) == pytest.approx(fb)
    assert InstagramImporter.sniff(source) == pytest.approx(ig)


# --------------------------------------------------------------------------- Facebook


def test_facebook_thread_2024_layout() -> None:
    _, msgs, errors = parse(FB / "export_2024")
    thread = by_member(msgs, "message_1.json")
    assert len(thread) == 6 and not [e for e in errors if "message_1" in (e.member or "")]
    first = thread[0]
    assert first.text == "Sabemos onde você mora, defensora de bandido 😡"
    assert first.author is not None and first.author.key == "Carlos Mendes"
    assert [r.key for r in first.recipients] == ["Ana Lúcia Ferreira"]
    assert first.timestamp == datetime(2024, 3, 1, 10, 10, tzinfo=UTC)
    assert first.locator.member == FB_THREAD and first.locator.json_path == "$.messages[0]"
    assert first.conversation_key == "inbox/carlosmendes_10158765432101234"
    assert first.conversation_title == "Carlos Mendes"
    assert first.extra["reactions"] == [{"reaction": "😡", "actor": "Carlos Mendes"}]
    assert [m.locator.json_path for m in thread] == [f"$.messages[{i}]" for i in range(6)]


@pytest.mark.parametrize(
    ("index", "check"),
    [
        (1, lambda m: m.attachments[0].member and m.attachments[0].mime_type == "image/jpeg"),
        (2, lambda m: m.text.endswith("\nhttps://example.net/ana-ferreira-endereco")),
        (3, lambda m: m.author.key == "Ana Lúcia Ferreira" and "unsent" not in m.extra),
        (4, lambda m: m.extra.get("unsent") is True and m.kind is MessageKind.USER),
        (5, lambda m: "São João" in m.text),
    ],
)
def test_facebook_message_quirks(index: int, check: object) -> None:
    _, msgs, _ = parse(FB / "export_2024")
    thread = by_member(msgs, "message_1.json")
    assert callable(check) and check(thread[index])


@pytest.mark.parametrize(
    ("json_path", "kind", "type_"),
    [
        ("$.messages[0]", MessageKind.USER, "Generic"),
        ("$.messages[1]", MessageKind.SYSTEM, "Call"),
        ("$.messages[2]", MessageKind.SYSTEM, "Subscribe"),
        ("$.messages[3]", MessageKind.USER, "Generic"),
        ("$.messages[4]", MessageKind.SYSTEM, "Unsubscribe"),
    ],
)
def test_facebook_system_types(json_path: str, kind: MessageKind, type_: str) -> None:
    _, msgs, _ = parse(FB / "export_legacy")
    (msg,) = [m for m in msgs if m.locator.json_path == json_path]
    assert msg.kind is kind and msg.extra["type"] == type_
    assert msg.conversation_title == "Solidariedade 🛡️ Vale"


def test_facebook_legacy_group_and_call_details() -> None:
    _, msgs, _ = parse(FB / "export_legacy")
    assert len(user_messages(msgs)) == 3  # two chat messages and one comment
    call = next(m for m in msgs if m.extra.get("type") == "Call")
    assert call.extra["call_duration"] == 125
    joined = next(m for m in msgs if m.extra.get("type") == "Subscribe")
    assert joined.extra["users"] == ["Jean-Pierre Côté"]
    lucia = next(m for m in msgs if m.author and m.author.key == "Lucía Ramírez")
    assert {r.key for r in lucia.recipients} == {"Ana Lúcia Ferreira", "Jean-Pierre Côté"}


@pytest.mark.parametrize(
    ("path", "json_path", "text", "author"),
    [
        (FB / "export_2024", "$.comments_v2[0]", "Nous documentons chaque menace. Solidarité "
         "avec les communautés de la vallée.", "Ana Lúcia Ferreira"),
        (FB / "export_2024", "$.comments_v2[1]", "Gracias por el apoyo, compañeras 💚",
         "Ana Lúcia Ferreira"),
        (FB / "export_legacy", "$.comments[0]", "Não aceitaremos intimidação.",
         "Ana Lúcia Ferreira"),
    ],
)
def test_facebook_comments(path: Path, json_path: str, text: str, author: str) -> None:
    _, msgs, _ = parse(path)
    (msg,) = [m for m in msgs if m.locator.json_path == json_path]
    assert msg.text == text and msg.author is not None and msg.author.key == author
    assert msg.extra["record"] == "comment"


def test_facebook_posts() -> None:
    _, msgs, errors = parse(FB / "export_2024")
    (post,) = [m for m in msgs if m.extra.get("record") == "post"]
    assert post.text.startswith("Recebi novas ameaças depois do relatório")
    assert post.text.endswith("https://example.org/relatorio-2024")
    assert post.timestamp == datetime(2024, 3, 4, 10, tzinfo=UTC)
    assert post.attachments[0].member is not None
    assert [(e.where, e.message) for e in errors] == [("$[1]", "no post text or media")]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("$.messages[1]", "not a JSON object"),
        ("$.messages[2]", "no timestamp_ms"),
        ("$.messages[3]", "unreadable timestamp 'ontem'"),
    ],
)
def test_bad_records_are_errors_with_json_path(where: str, message: str) -> None:
    _, msgs, errors = parse(FB / "single" / "message_1.json")
    assert [m.text for m in msgs] == ["Cuidado com o que você posta, Ana. 🔪"]
    assert msgs[0].locator.member == "message_1.json"
    assert (where, message) in [(e.where, e.message) for e in errors]


@pytest.mark.parametrize(
    "path", [FB / "truncated" / "message_1.json", FB / "truncated"], ids=["file", "folder"]
)
def test_truncated_json_is_rejected_with_line_and_column(path: Path) -> None:
    with pytest.raises(ImportRejected, match=r"line \d+, column \d+: invalid JSON"):
        parse(path)


@pytest.mark.parametrize("fmt", ["facebook", "instagram"])
def test_non_meta_json_is_rejected_when_forced(tmp_path: Path, fmt: str) -> None:
    p = tmp_path / "data.json"
    p.write_text('{"name": "x", "messages": [{"id": 1, "text": "hi"}]}', encoding="utf-8")
    with pytest.raises(ImportRejected, match="export file"):
        parse(p, fmt)


# --------------------------------------------------------------------------- Instagram


def test_instagram_thread() -> None:
    _, msgs, _ = parse(IG / "export_2024")
    thread = by_member(msgs, "message_1.json")
    assert thread[0].locator.member == IG_THREAD
    assert thread[0].platform is Platform.INSTAGRAM
    assert thread[0].conversation_key == "inbox/verdade_sem_filtro_17842000000000000"
    assert thread[4].text == "Vai embora do Pará, ninguém te quer aqui. Vamos te achar."
    assert thread[4].extra["reactions"] == [{"reaction": "❤", "actor": "Ana Lúcia 🌱"}]
    assert [r.key for r in thread[0].recipients] == ["Ana Lúcia 🌱"]


@pytest.mark.parametrize(
    ("index", "kind", "text"),
    [
        (1, MessageKind.USER,
         "https://www.instagram.com/p/C4aBcDeFgHi/\nA 'defensora' que protege invasores 🤡"),
        (3, MessageKind.SYSTEM, "Liked a message"),
        (0, MessageKind.USER, "You'll regret this. Everyone will know who you really are."),
    ],
)
def test_instagram_shares_and_notices(index: int, kind: MessageKind, text: str) -> None:
    _, msgs, _ = parse(IG / "export_2024")
    msg = by_member(msgs, "message_1.json")[index]
    assert msg.kind is kind and msg.text == text


def test_instagram_attachment_missing_from_export_is_not_linked() -> None:
    _, msgs, _ = parse(IG / "export_2024")
    photos = by_member(msgs, "message_1.json")[2].attachments
    assert [(a.name, a.member is not None) for a in photos] == [
        ("3312345678901234567.jpg", True),
        ("missing_from_export.jpg", False),
    ]


@pytest.mark.parametrize(
    ("path", "json_path", "text", "owner"),
    [
        (IG / "export_2024", "$[0]", "Seguimos firmes. #DefensorasDoTerritório",
         "rede_terra_livre"),
        (IG / "export_2024", "$[1]", "¡No nos van a callar!", "colectiva_sur"),  # es labels
        (IG / "export_legacy", "$.comments_media_comments[0]", "Obrigada pelo carinho ❤️",
         "amiga_solidaria"),
    ],
)
def test_instagram_comments(path: Path, json_path: str, text: str, owner: str) -> None:
    _, msgs, _ = parse(path)
    (msg,) = [
        m for m in msgs if m.locator.json_path == json_path and m.extra["record"] == "comment"
    ]
    assert msg.text == text and msg.extra["media_owner"] == owner
    assert msg.timestamp is not None and msg.timestamp.tzinfo is not None


def test_instagram_bad_comment_and_posts() -> None:
    _, msgs, errors = parse(IG / "export_2024")
    assert [(e.where, e.message) for e in errors] == [("$[2]", "no string_map_data")]
    posts = [m for m in msgs if m.extra.get("record") == "post"]
    assert [p.text for p in posts] == [
        "Relatório entregue à Defensoria. Obrigada a todas que nos apoiam 💚",
        "Marcha pela terra — Belém 🇧🇷",
    ]
    assert posts[0].attachments[0].member == "media/posts/202403/431122334455_n.jpg"
    assert len(posts[1].attachments) == 2
