from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amparo.domain import MessageKind, ParsedMessage, Platform
from amparo.ingest import ImportRejected
from amparo.ingest.mastodon import MastodonImporter, handle_from, html_to_text
from amparo.ingest.sources import open_source
from tests.ingest.helpers import FIXTURES, parse, user_messages

MD = FIXTURES / "mastodon"
ARCHIVE = MD / "archive"
ME = "https://defensores.social/users/lucia_mq"
TROLL = "https://frente.example/users/patriota"


def zip_folder(folder: Path, dest: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(folder).as_posix())
    return dest


@pytest.fixture(params=["folder", "zip", "zip-with-top-folder"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "folder":
        return ARCHIVE
    prefix = "archive-20240320/" if request.param == "zip-with-top-folder" else ""
    return zip_folder(ARCHIVE, tmp_path / "archive-20240320.zip", prefix)


def outbox_posts(messages: list[ParsedMessage]) -> dict[str, ParsedMessage]:
    return {
        m.source_id.rsplit("/", 1)[-1]: m
        for m in messages
        if m.source_id and m.locator.member and m.locator.member.endswith("outbox.json")
    }


def test_archive_is_detected_and_parsed(archive: Path) -> None:
    fmt, msgs, errors = parse(archive)
    assert fmt == "mastodon"
    assert all(m.platform is Platform.MASTODON for m in msgs)
    assert len(user_messages(msgs)) == 5
    # boost + 2 likes + 1 bookmark
    assert len([m for m in msgs if m.kind is MessageKind.SYSTEM]) == 4
    assert [(e.where, e.message) for e in errors] == [
        ("$.orderedItems[5].object", "post has no published time")
    ]


@pytest.mark.parametrize(
    ("post", "check"),
    [
        # paragraphs kept; Mastodon's split link spans joined back into the whole URL
        ("112034567890120001", lambda m: m.text == (
            "Hoy presentamos el informe sobre desalojos forzados en Cajamarca.\n\n"
            "Léanlo aquí: https://observatorio-andino.example.org/informes/2024-desalojos #DDHH"
        )),
        ("112034567890120001", lambda m: m.extra["html"].startswith("<p>Hoy presentamos")),
        ("112034567890120001", lambda m: (
            m.extra["visibility"] == "public" and m.extra["language"] == "es"
            and m.extra["hashtags"] == ["#ddhh"]
        )),
        # media present under media_attachments/ (the URL starts with '/')
        ("112034567890120001", lambda m: (
            m.attachments[0].member is not None
            and m.attachments[0].member.endswith(
                "media_attachments/files/112/034/567/890/123/456/original/a1b2c3d4e5f6.png")
            and m.attachments[0].mime_type == "image/png"
            and m.extra["media"][0]["name"].startswith("Portada del informe")
        )),
        # media left out of the archive
        ("112034567890120007", lambda m: (
            m.attachments[0].omitted and m.attachments[0].name == "ffeeddccbbaa.jpeg"
        )),
        # content warning in front; mention rendered as @user@instance; <br> is a newline
        ("112034567890120002", lambda m: m.text == (
            "CW: acoso, amenazas\n\n@patriota@frente.example Tus amenazas están documentadas "
            "y denunciadas.\nNo me vas a callar."
        )),
        ("112034567890120002", lambda m: (
            m.extra["content_warning"] == "acoso, amenazas" and m.extra["sensitive"] is True
            and m.extra["visibility"] == "unlisted"
        )),
        ("112034567890120002", lambda m: (
            m.reply_to == "https://frente.example/users/patriota/statuses/99887766"
            and [(r.key, r.handle) for r in m.recipients] == [(TROLL, "@patriota@frente.example")]
        )),
        # entities decoded; direct message visibility
        ("112034567890120004", lambda m: (
            "my address & my daughter's school.\nThis is harassment <and> it is" in m.text
            and m.extra["visibility"] == "direct" and m.extra["language"] == "en"
        )),
        # polls (Question) keep their options
        ("112034567890120005", lambda m: (
            m.text.endswith("( ) Sim, muitas vezes\n( ) Nunca")
            and m.extra["poll"]["options"][0]["votes"] == 30
        )),
        # the owner from actor.json
        ("112034567890120001", lambda m: (
            m.author is not None and m.author.key == ME
            and m.author.handle == "@lucia_mq@defensores.social"
            and m.author.display_name == "Lucía Mendoza Quispe"
            and m.timestamp == datetime(2024, 3, 4, 14, 5, tzinfo=UTC)
            and m.locator.json_path == "$.orderedItems[0].object"
            and m.conversation_key == "outbox"
        )),
    ],
)
def test_outbox_quirks(archive: Path, post: str, check: object) -> None:
    _, msgs, _ = parse(archive)
    msg = outbox_posts(msgs)[post]
    assert callable(check) and check(msg), msg


def test_boosts_likes_and_bookmarks_are_system(archive: Path) -> None:
    _, msgs, _ = parse(archive)
    system = [m for m in msgs if m.kind is MessageKind.SYSTEM]
    boost = system[0]
    assert boost.locator.json_path == "$.orderedItems[2]"
    assert boost.forwarded_from == "@rede_defensoras@rede.example"
    assert boost.extra["boost_of"].endswith("/statuses/112030000000000001")
    assert [m.extra["activity"] for m in system[1:]] == ["like", "like", "bookmark"]
    assert system[3].text == "Bookmarked https://frente.example/users/patriota/statuses/99887766"
    assert system[3].locator.member is not None
    assert system[3].locator.member.endswith("bookmarks.json")


def test_api_statuses() -> None:
    fmt, msgs, errors = parse(MD / "statuses.json")
    assert fmt == "mastodon"
    assert [(e.where, e.message) for e in errors] == [("$[3]", "status has no created_at")]
    threat, smear, boost = msgs
    assert threat.text == (
        "@lucia_mq@defensores.social sabemos dónde vives. Borra el informe o lo lamentarás."
    )
    assert threat.author is not None and threat.author.key == TROLL  # account.uri
    assert threat.author.handle == "@patriota@frente.example"
    assert threat.reply_to == "112034567890120001"
    assert threat.recipients[0].handle == "@lucia_mq@defensores.social"
    assert threat.attachments[0].name == "casa.jpg" and threat.attachments[0].omitted
    assert threat.extra["media"][0]["description"] == "foto de una fachada"
    assert threat.locator.json_path == "$[0]" and threat.source_id == "112040000000000001"
    # spoiler_text is a content warning; links whose text differs show their target
    assert smear.text.startswith("CW: política\n\nEssa \"defensora\"")
    assert smear.text.endswith("dossiê completo (https://fake-news.example/dossie-lucia)")
    assert smear.author is not None and smear.author.key == "109877"  # no uri: the id
    # reblogs carry the boosted text and its author
    assert boost.text == 'Essa "defensora" recebe dinheiro de fora.'
    assert boost.forwarded_from == "@sem_filtro@verdade.example"
    assert boost.author is not None and boost.author.key == TROLL


def test_api_notifications() -> None:
    fmt, msgs, errors = parse(MD / "notifications.json")
    assert fmt == "mastodon"
    assert [(e.where, e.message) for e in errors] == [
        ("$[5]", "mention notification without a status")
    ]
    kinds = [(m.extra["notification_type"], m.kind) for m in msgs]
    assert kinds == [
        ("mention", MessageKind.USER),
        ("favourite", MessageKind.SYSTEM),
        ("follow", MessageKind.SYSTEM),
        ("reblog", MessageKind.SYSTEM),
        ("admin.report", MessageKind.SYSTEM),
        ("status", MessageKind.USER),
    ]
    mention = msgs[0]
    assert mention.locator.json_path == "$[0].status"
    assert "sabemos dónde vives" in mention.text and mention.extra["notification_id"] == "3401"
    assert msgs[2].text == "@sem_filtro@verdade.example followed you"
    assert msgs[1].text.startswith("@sem_filtro@verdade.example favourited your post https://")
    assert msgs[4].text == (
        "@lucia_mq@defensores.social filed a report against @patriota@frente.example: "
        "Amenazas de muerte coordinadas contra una defensora"
    )
    assert all(m.conversation_key == "notifications" for m in msgs)


def write_json(tmp_path: Path, name: str, data: Any) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


ACCOUNT = {"id": "9", "username": "ana", "acct": "ana", "display_name": "Ana",
           "url": "https://defensores.social/@ana"}


def status(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
            "id": "1", "created_at": "2024-03-01T10:00:00.000Z", "content": "<p>olá</p>",
            "account": ACCOUNT, "visibility": "public", "spoiler_text": "", "reblog": None,
            "media_attachments": [], "mentions": []}
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("items", "where", "message"),
    [
        ([status(), status(created_at="ontem")], "$[1]", "unreadable created_at"),
        ([status(), status(created_at=None)], "$[1]", "no created_at"),
        ([status(), 5], "$[1]", "not a JSON object"),
        ([status(), status(content={"x": 1})], "$[1]", "content is not a string"),
        ([status(), {"id": "7", "type": "follow", "account": ACCOUNT}], "$[1]",
         "notification has no created_at"),
    ],
)
def test_bad_api_records(tmp_path: Path, items: list[Any], where: str, message: str) -> None:
    p = write_json(tmp_path, "statuses.json", items)
    _, msgs, errors = parse(p, "mastodon")
    assert [m.text for m in msgs] == ["olá"]
    assert [e.where for e in errors] == [where] and message in errors[0].message


def test_local_account_gets_instance_from_url(tmp_path: Path) -> None:
    p = write_json(tmp_path, "s.json", [status()])
    fmt, (msg,), _ = parse(p)
    assert fmt == "mastodon"
    assert msg.author is not None and msg.author.key == "9"
    assert msg.author.handle == "@ana@defensores.social"


def test_context_endpoint(tmp_path: Path) -> None:
    p = write_json(tmp_path, "context.json", {"ancestors": [status()], "descendants": [
        status(id="2", in_reply_to_id="1")]})
    fmt, msgs, _ = parse(p)
    assert fmt == "mastodon"
    assert [(m.locator.json_path, m.reply_to) for m in msgs] == [
        ("$.ancestors[0]", None), ("$.descendants[0]", "1")
    ]


@pytest.mark.parametrize(
    ("files", "match"),
    [
        ({"outbox.json": '{"type": "OrderedCollection", "orderedItems": [\n{"type": "Create", '},
         r"outbox.json, line 2, column \d+: invalid JSON: ends too early"),
        ({"outbox.json": '{"type": "OrderedCollection", "orderedItems": {}}',
          "actor.json": "{}"}, r"no orderedItems list"),
        ({"outbox.json": '{"type": "OrderedCollection", "orderedItems": []}',
          "actor.json": "{}", "likes.json": '{"orderedItems": 3}'}, r"likes.json.*no orderedItems"),
    ],
)
def test_broken_archive_is_rejected(tmp_path: Path, files: dict[str, str], match: str) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(ImportRejected, match=match):
        parse(folder, "mastodon")


def test_truncated_api_json_names_line(tmp_path: Path) -> None:
    p = tmp_path / "notifications.json"
    text = json.dumps([status()], indent=2)
    p.write_text(text[:-20], encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"notifications.json, line \d+, column \d+"):
        parse(p, "mastodon")


@pytest.mark.parametrize(
    ("activity", "where", "message"),
    [
        ({"type": "Delete", "object": "x"}, "$.orderedItems[1]", "unsupported activity type"),
        ({"type": "Create", "object": "https://x/1"}, "$.orderedItems[1].object", "not embedded"),
        ({"type": "Create", "object": {"type": "Tombstone"}}, "$.orderedItems[1].object",
         "unsupported object type"),
        ({"type": "Create", "object": {"type": "Note", "published": "2024-13-01",
                                       "content": "x"}},
         "$.orderedItems[1].object", "unreadable published"),
        ("junk", "$.orderedItems[1]", "not an object"),
    ],
)
def test_bad_outbox_records(tmp_path: Path, activity: Any, where: str, message: str) -> None:
    good = {"type": "Create", "actor": ME, "object": {
        "type": "Note", "id": ME + "/statuses/1", "published": "2024-03-01T10:00:00Z",
        "content": "<p>hola</p>", "to": [], "cc": []}}
    p = write_json(tmp_path, "outbox.json", {
        "@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection",
        "orderedItems": [good, activity]})
    fmt, msgs, errors = parse(p)
    assert fmt == "mastodon"
    assert [m.text for m in msgs] == ["hola"] and msgs[0].author is not None
    assert msgs[0].author.handle == "@lucia_mq@defensores.social"
    assert [e.where for e in errors] == [where] and message in errors[0].message


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>uno</p><p>dos</p>", "uno\n\ndos"),
        ("<p>a<br>b<br/>c</p>", "a\nb\nc"),
        ("<p>Tom &amp; Jerry &lt;3 &#128154; &quot;x&quot;</p>", 'Tom & Jerry <3 💚 "x"'),
        ('<p><a href="https://e.org/a">https://e.org/a</a></p>', "https://e.org/a"),
        ('<p><a href="https://e.org/a">leia</a></p>', "leia (https://e.org/a)"),
        ('<a href="https://e.org/abcdef"><span class="invisible">https://</span>'
         '<span class="ellipsis">e.org/abc</span><span class="invisible">def</span></a>',
         "https://e.org/abcdef"),
        ('<a href="https://e.org/abcdef">e.org/abc…</a>', "https://e.org/abcdef"),
        ('<a href="https://i.example/@bo" class="u-url mention">@<span>bo</span></a>',
         "@bo@i.example"),
        ('<a href="https://i.example/@bo" class="u-url mention">@bo@other.example</a>',
         "@bo@other.example"),
        ('<a href="https://i.example/tags/x" class="mention hashtag" rel="tag">#<span>x</span></a>',
         "#x"),
        ("<ul><li>uno</li><li>dos</li></ul>", "- uno\n- dos"),
        ("<p>espaços   \n  colapsados</p>", "espaços colapsados"),
        ("<p>a</p><script>alert(1)</script>", "a"),
        ("texto sem html", "texto sem html"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("@ana", "https://d.social/@ana", "@ana@d.social"),
        ("ana@x.example", "https://x.example/@ana", "@ana@x.example"),
        (None, "https://d.social/users/ana", "@ana@d.social"),
        (None, "https://d.social/users/ana/statuses/1", "@ana@d.social"),
        (None, "https://d.social/notes/abc", None),
        ("ana", None, "@ana"),
    ],
)
def test_handle_from(name: str | None, url: str | None, expected: str | None) -> None:
    assert handle_from(name, url) == expected


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("statuses.json", json.dumps([status()]), 0.9),
        ("x.json", json.dumps([{"id": "1", "type": "mention", "created_at": "2024-03-01T10:00Z",
                                 "account": ACCOUNT, "status": status()}]), 0.9),
        ("x.json", json.dumps([{"id": "1", "type": "follow", "created_at": "2024-03-01T10:00Z",
                                 "account": ACCOUNT}]), 0.9),
        ("outbox.json", '{"type": "OrderedCollection", "orderedItems": [{"type": "Create"}]}',
         0.95),
        ("saved.json", '{"type": "OrderedCollection", "orderedItems": [{"type": "Create"}]}',
         0.9),
        ("c.json", json.dumps({"ancestors": [status()], "descendants": []}), 0.9),
        ("one.json", json.dumps(status()), 0.9),
        # not Mastodon
        ("likes.json", '{"type": "OrderedCollection", "orderedItems": ["https://x/1"]}', 0.0),
        ("tweets.json", json.dumps([{"created_at": "Wed Oct 10 20:19:24 +0000 2018",
                                     "text": "x", "user": {"screen_name": "a"}}]), 0.0),
        ("result.json", json.dumps({"name": "Chat", "type": "personal_chat", "messages": []}),
         0.0),
        ("x.json", json.dumps([{"type": "message", "content": "hi", "author": {"id": "1"},
                                "timestamp": "2024-01-01"}]), 0.0),
        ("x.json", json.dumps([{"id": "1", "type": "mention", "created_at": "2024"}]), 0.0),
        ("posts.csv", "id,content,account,created_at\n", 0.0),
        ("tweets.js", "window.YTD.tweets.part0 = []", 0.0),
    ],
)
def test_sniff_single_files(tmp_path: Path, name: str, content: str, expected: float) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert MastodonImporter.sniff(open_source(p)) == expected


@pytest.mark.parametrize("name", ["archive", "statuses.json", "notifications.json"])
def test_own_fixtures_not_taken_by_twitter(name: str) -> None:
    from amparo.ingest.twitter import TwitterImporter

    assert TwitterImporter.sniff(open_source(MD / name)) == 0.0


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        (["https://www.w3.org/ns/activitystreams#Public"], [ME + "/followers"], "public"),
        ([ME + "/followers"], ["https://www.w3.org/ns/activitystreams#Public"], "unlisted"),
        ([ME + "/followers"], [TROLL], "private"),
        ([TROLL], [], "direct"),
    ],
)
def test_visibility_from_addressing(to: list[str], cc: list[str], expected: str) -> None:
    from amparo.ingest.mastodon.archive import _visibility

    assert _visibility({"to": to, "cc": cc}, ME) == expected
