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
from amparo.ingest.slack import SlackImporter
from amparo.ingest.sources import open_source
from tests.ingest.helpers import FIXTURES, parse

WS = FIXTURES / "slack" / "workspace"


@pytest.fixture(scope="module")
def workspace() -> dict[str, ParsedMessage]:
    fmt, msgs, errors = parse(WS)
    assert fmt == "slack"
    assert [(e.member, e.where, e.message) for e in errors] == [
        ("general/2024-03-14.json", "$[9]", "no ts (timestamp)")
    ]
    return {m.source_id or "": m for m in msgs}


def zip_workspace(dest: Path, top: str | None) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(WS.rglob("*")):
            if f.is_file():
                rel = f.relative_to(WS).as_posix()
                zf.write(f, f"{top}/{rel}" if top else rel)
    return dest


def mini_export(tmp_path: Path, day: Any, *, users: Any = None) -> Path:
    root = tmp_path / "export"
    (root / "general").mkdir(parents=True)
    (root / "users.json").write_text(json.dumps(users if users is not None else [
        {"id": "U1", "name": "ana", "real_name": "Ana", "profile": {"display_name": "Ana"}}
    ]), encoding="utf-8")
    (root / "channels.json").write_text(json.dumps(
        [{"id": "C1", "name": "general", "created": 1700000000, "members": ["U1"]}]
    ), encoding="utf-8")
    day_text = day if isinstance(day, str) else json.dumps(day)
    (root / "general" / "2024-03-01.json").write_text(day_text, encoding="utf-8")
    return root


# --- detection -------------------------------------------------------------------------------


def test_folder_detected() -> None:
    source = open_source(WS)
    try:
        assert SlackImporter.sniff(source) >= 0.9
    finally:
        source.close()


@pytest.mark.parametrize("top", [None, "Coletivo Slack export Mar 16 2024"],
                         ids=["flat", "top-folder"])
def test_zip_detected(tmp_path: Path, top: str | None) -> None:
    fmt, msgs, errors = parse(zip_workspace(tmp_path / "slack.zip", top))
    assert fmt == "slack" and len(errors) == 1
    prefix = f"{top}/" if top else ""
    first = next(m for m in msgs if m.source_id == "1710456090.000003")
    assert first.locator.member == f"{prefix}general/2024-03-14.json"
    assert first.conversation_key == "C01GENERAL"
    assert first.author is not None and first.author.display_name == "ruido🇧🇷"


def test_day_files_without_metadata(tmp_path: Path) -> None:
    root = tmp_path / "partial"
    shutil.copytree(WS / "general", root / "general")
    source = open_source(root)
    try:
        assert 0.5 <= SlackImporter.sniff(source) < 0.9
    finally:
        source.close()
    fmt, msgs, _ = parse(root)
    assert fmt == "slack"
    assert msgs[0].conversation_key == "general"
    # No users.json: names come from each message's user_profile.
    assert msgs[2].author is not None and msgs[2].author.display_name == "ruido🇧🇷"


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"general/2024-03-01.json": '{"messages": []}'}, "day file not a list"),
        ({"general/2024-03-01.json": '[{"id": 1, "text": "x"}]'}, "no ts"),
        ({"users.json": '{"users": []}', "channels.json": "[]"}, "meta not lists"),
        ({"notes/2024-03-01.json": '[{"date": "2024-03-01", "note": "x"}]'}, "diary"),
        ({"result.json": '{"name": "x", "type": "personal_chat", "id": 1, "messages": []}'},
         "telegram"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_other_layouts_not_sniffed(tmp_path: Path, files: dict[str, str], why: str) -> None:
    root = tmp_path / "x"
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    source = open_source(root)
    try:
        assert SlackImporter.sniff(source) == 0.0, why
    finally:
        source.close()


# --- messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ts", "kind", "subtype"),
    [
        ("1710456012.000001", MessageKind.SYSTEM, "channel_join"),
        ("1710456030.000002", MessageKind.SYSTEM, "channel_purpose"),
        ("1710468000.000001", MessageKind.SYSTEM, "channel_leave"),
        ("1710507660.000002", MessageKind.SYSTEM, "pinned_item"),
        ("1710460200.000700", MessageKind.SYSTEM, "tombstone"),
        ("1710457500.000200", MessageKind.USER, "thread_broadcast"),
        ("1710457800.000300", MessageKind.USER, "file_share"),
        ("1710458400.000400", MessageKind.USER, "bot_message"),
        ("1710456090.000003", MessageKind.USER, None),
    ],
)
def test_subtypes(
    workspace: dict[str, ParsedMessage], ts: str, kind: MessageKind, subtype: str | None
) -> None:
    m = workspace[ts]
    assert m.kind is kind
    assert m.extra.get("subtype") == subtype


@pytest.mark.parametrize(
    ("ts", "text"),
    [
        # mention, entity, <!channel>, labelled link, bare link, channel link
        ("1710456090.000003",
         "@Lucía você vai se arrepender <3 @channel vejam o dossiê completo "
         "(https://example.org/dossie) e https://example.org/fotos em #denuncias"),
        ("1710456012.000001", "@ruido🇧🇷 has joined the channel"),
        # <#C01GENERAL> without a label: name from channels.json
        ("1710507600.000001", "Registro: ameaça de @ruido🇧🇷 em #general, 14/03 22:41."),
        ("1710504000.000002", "Gracias a todas. Todo está documentado. protecao@example.org"),
        ("1710583200.000001", "Protocolei a denúncia no Ministério Público. @here"),
        ("1710270060.000002", "Sei onde você mora & trabalha."),
        # bot message with only an attachment fallback
        ("1710458400.000400", "تنبيه: تم رصد حملة منسقة ضد لوسيا"),
        # ana.souza has an empty display_name: real_name is used
        ("1710320400.000001", "@Ana Souza @Karim ¿podemos hablar hoy del caso?"),
    ],
)
def test_markup_resolved(workspace: dict[str, ParsedMessage], ts: str, text: str) -> None:
    assert workspace[ts].text == text


def test_raw_text_kept(workspace: dict[str, ParsedMessage]) -> None:
    m = workspace["1710456090.000003"]
    assert m.extra["raw_text"].startswith("<@U01LUCIA> você vai se arrepender &lt;3 <!channel>")
    assert [r.key for r in m.recipients] == ["U01LUCIA"]


@pytest.mark.parametrize(
    ("ts", "key", "handle", "display"),
    [
        ("1710456090.000003", "U03TROLL", "ruido.patriota", "ruido🇧🇷"),
        ("1710457440.000150", "U02ANA", "ana.souza", "Ana Souza"),
        ("1710459900.000600", "U09EXTERN", "watcher.ext", "watcher"),  # not in users.json
        ("1710458400.000400", "B01ALERT", None, "Alerta Monitor"),  # bot
        ("1710507900.000003", "U05GONE", "cuenta.borrada", "Cuenta Borrada"),  # deleted user
    ],
)
def test_authors(
    workspace: dict[str, ParsedMessage], ts: str, key: str, handle: str | None, display: str
) -> None:
    author = workspace[ts].author
    assert author is not None
    assert (author.key, author.handle, author.display_name) == (key, handle, display)


@pytest.mark.parametrize(
    ("ts", "reply_to"),
    [
        ("1710457200.000100", None),  # thread parent: thread_ts == ts
        ("1710457440.000150", "1710457200.000100"),
        ("1710457500.000200", "1710457200.000100"),  # broadcast reply
        ("1710456090.000003", None),
    ],
)
def test_threads(workspace: dict[str, ParsedMessage], ts: str, reply_to: str | None) -> None:
    assert workspace[ts].reply_to == reply_to


@pytest.mark.parametrize(
    ("ts", "key", "title", "kind"),
    [
        ("1710456090.000003", "C01GENERAL", "#general", "channel"),
        ("1710583200.000001", "G01JURID", "#apoio-juridico", "private_channel"),
        ("1710270000.000001", "D01DMTROLL", "DM: Lucía, ruido🇧🇷", "dm"),
        ("1710320700.000002", "G02MPDM", "Group DM: Lucía, Ana Souza, Karim", "group_dm"),
    ],
)
def test_conversations(
    workspace: dict[str, ParsedMessage], ts: str, key: str, title: str, kind: str
) -> None:
    m = workspace[ts]
    assert (m.conversation_key, m.conversation_title, m.extra["conversation_type"]) == (
        key, title, kind
    )


def test_dm_recipients(workspace: dict[str, ParsedMessage]) -> None:
    assert [r.key for r in workspace["1710270000.000001"].recipients] == ["U01LUCIA"]
    assert [r.key for r in workspace["1710320700.000002"].recipients] == ["U01LUCIA", "U02ANA"]


def test_timestamp_exact_and_locator(workspace: dict[str, ParsedMessage]) -> None:
    m = workspace["1710457440.000150"]
    assert m.timestamp == datetime(2024, 3, 14, 23, 4, 0, 150, tzinfo=UTC)
    assert m.locator.member == "general/2024-03-14.json" and m.locator.json_path == "$[4]"
    assert workspace["1710459000.000500"].extra["edited"] == "2024-03-14T23:31:00+00:00"


def test_files(workspace: dict[str, ParsedMessage]) -> None:
    m = workspace["1710457800.000300"]
    present, hidden = m.attachments
    assert (present.name, present.mime_type, present.size) == ("casa.png", "image/png", 2911)
    assert present.member == "__uploads/F07ABCDEF/casa.png" and not present.omitted
    assert hidden.omitted and hidden.name is None
    assert m.extra["file_modes"] == ["hidden_by_limit"]


def test_uploads_folder_is_not_a_conversation() -> None:
    _, msgs, _ = parse(WS)
    assert not any("__uploads" in (m.locator.member or "") for m in msgs)


# --- broken input ----------------------------------------------------------------------------


def test_truncated_day_file_names_line_and_column(tmp_path: Path) -> None:
    text = (WS / "general" / "2024-03-14.json").read_text(encoding="utf-8")
    root = mini_export(tmp_path, text[: len(text) // 2])
    with pytest.raises(ImportRejected, match=r"2024-03-01\.json, line \d+, column \d+"):
        parse(root, "slack")


@pytest.mark.parametrize(
    ("day", "users", "match"),
    [
        ({"messages": []}, None, "must hold a JSON list"),
        ([], {"members": []}, "expected a JSON list"),
        ([], ["U1"], "user is not a JSON object"),
    ],
    ids=["day-object", "users-object", "user-string"],
)
def test_structurally_broken_is_rejected(
    tmp_path: Path, day: Any, users: Any, match: str
) -> None:
    with pytest.raises(ImportRejected, match=match):
        parse(mini_export(tmp_path, day, users=users), "slack")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("hello", "message is not a JSON object"),
        ({"type": "message", "user": "U1", "text": "sem ts"}, "no ts (timestamp)"),
        ({"type": "message", "user": "U1", "text": "x", "ts": "ontem"}, "unreadable ts 'ontem'"),
    ],
)
def test_bad_record_is_skipped(tmp_path: Path, message: Any, error: str) -> None:
    good = {"type": "message", "user": "U1", "text": "ok", "ts": "1709287200.000100"}
    _, msgs, errors = parse(mini_export(tmp_path, [good, message]), "slack")
    assert [m.text for m in msgs] == ["ok"]
    assert [(e.member, e.where, e.message) for e in errors] == [
        ("general/2024-03-01.json", "$[1]", error)
    ]
