from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from amparo.domain import MessageKind, ParsedMessage, Platform
from amparo.ingest import ImportRejected
from amparo.ingest.sources import open_source
from amparo.ingest.twitter import TwitterImporter, parse_twitter_date, strip_wrapper
from tests.ingest.helpers import FIXTURES, parse, user_messages

TW = FIXTURES / "twitter"
ARCHIVE = TW / "archive"
OWNER = "1187654321098765432"
TROLL = "1600000000000000001"


def zip_folder(folder: Path, dest: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(folder).as_posix())
    return dest


def by_id(messages: list[ParsedMessage]) -> dict[str, ParsedMessage]:
    return {m.source_id: m for m in messages if m.source_id}


@pytest.fixture(params=["folder", "zip", "zip-with-top-folder"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "folder":
        return ARCHIVE
    prefix = "twitter-2024-03-20-abc123/" if request.param == "zip-with-top-folder" else ""
    return zip_folder(ARCHIVE, tmp_path / "twitter-2024-03-20.zip", prefix)


def test_archive_is_detected_and_parsed(archive: Path) -> None:
    fmt, msgs, errors = parse(archive)
    assert fmt == "twitter"
    assert all(m.platform is Platform.TWITTER for m in msgs)
    assert len(user_messages(msgs)) == 11
    assert len([m for m in msgs if m.kind is MessageKind.SYSTEM]) == 4
    # one tweet without created_at, one DM without createdAt
    assert sorted(e.where for e in errors) == [
        "$[0].dmConversation.messages[2].messageCreate",
        "$[1].tweet",
    ]
    assert {e.member.rsplit("/", 1)[-1] for e in errors if e.member} == {
        "tweets-part1.js", "direct-messages.js"
    }
    assert "created_at" in next(e.message for e in errors if e.where == "$[1].tweet")


@pytest.mark.parametrize(
    ("tweet_id", "check"),
    [
        # t.co links expanded in place, original kept
        ("1764712345678901234", lambda m: (
            "https://observatorio-andino.example.org/informes/2024-desalojos" in m.text
            and "https://t.co/AbC123xyz0" not in m.text
            and "https://t.co/AbC123xyz0" in m.extra["full_text"]
        )),
        # photo present in tweets_media/<id>-<name>
        ("1764712345678901234", lambda m: (
            len(m.attachments) == 1 and m.attachments[0].member is not None
            and m.attachments[0].member.endswith(
                "data/tweets_media/1764712345678901234-GH7kLmNXsAAb1cD.jpg")
            and m.attachments[0].mime_type == "image/jpeg" and not m.attachments[0].omitted
        )),
        # video not in the archive: omitted, named after the mp4 variant
        ("1765000000000000777", lambda m: (
            m.attachments[0].omitted and m.attachments[0].member is None
            and m.attachments[0].name == "AbCdVid0.mp4"
        )),
        # HTML escapes undone (&amp; &lt; &gt;)
        ("1765100000000000001", lambda m: "No me van a callar & no estoy sola." in m.text),
        ("1765000000000000777", lambda m: "terrorist <and> posting" in m.text),
        # replies: reply_to, mentioned account as recipient
        ("1765100000000000001", lambda m: (
            m.reply_to == "1765099999999999999"
            and m.extra["in_reply_to_screen_name"] == "patriota_alerta_77"
            and [(r.key, r.handle) for r in m.recipients] == [(TROLL, "@patriota_alerta_77")]
        )),
        # retweet: forwarded_from is the retweeted handle; author stays the owner
        ("1765200000000000002", lambda m: (
            m.forwarded_from == "@rede_defensoras" and m.extra["retweet"] is True
            and m.author is not None and m.author.key == OWNER
        )),
        ("1765100000000000001", lambda m: m.forwarded_from is None and "retweet" not in m.extra),
        # deleted tweets
        ("1767000000000000005", lambda m: (
            m.extra["deleted"] is True and m.extra["deleted_at"] == "2024-03-12T07:10:00+00:00"
        )),
        ("1764712345678901234", lambda m: "deleted" not in m.extra),
        # split files are read: tweets-part1.js
        ("1766300000000000003", lambda m: (
            m.locator.member is not None and m.locator.member.endswith("data/tweets-part1.js")
            and m.locator.json_path == "$[0].tweet" and m.extra["lang"] == "pt"
        )),
        # locators
        ("1765200000000000002", lambda m: m.locator.json_path == "$[2].tweet"),
        # the owner from account.js is the author of tweets
        ("1764712345678901234", lambda m: (
            m.author is not None and m.author.key == OWNER
            and m.author.handle == "@lucia_defiende"
            and m.author.display_name == "Lucía Mendoza 🌿 DDHH"
            and m.conversation_key == "timeline"
        )),
        ("1764712345678901234",
         lambda m: m.timestamp == datetime(2024, 3, 4, 14, 2, 11, tzinfo=UTC)),
    ],
)
def test_tweet_quirks(archive: Path, tweet_id: str, check: object) -> None:
    _, msgs, _ = parse(archive)
    msg = by_id(msgs)[tweet_id]
    assert callable(check) and check(msg), msg


@pytest.mark.parametrize(
    ("msg_id", "check"),
    [
        # DM link entities use "expanded", not "expanded_url"
        ("1767200000000000011", lambda m: (
            "https://maps.example.com/?q=Av.+Arequipa+1234" in m.text
            and "https://t.co/M4p5L1nk00" not in m.text
        )),
        # author keyed by numeric id, handle learned from tweet mentions
        ("1767200000000000011", lambda m: (
            m.author is not None and m.author.key == TROLL
            and m.author.handle == "@patriota_alerta_77"
            and [r.key for r in m.recipients] == [OWNER]
        )),
        ("1767200000000000011", lambda m: (
            m.conversation_key == f"{TROLL}-{OWNER}"
            and m.locator.json_path == "$[0].dmConversation.messages[0].messageCreate"
            and m.timestamp == datetime(2024, 3, 12, 3, 14, 15, 926000, tzinfo=UTC)
        )),
        # DM media beside the data file
        ("1767200000000000011", lambda m: (
            m.attachments[0].member is not None
            and m.attachments[0].member.endswith(
                "data/direct_messages_media/1767200000000000011-Xy9zPhoto.jpg")
        )),
        ("1767100000000000010", lambda m: (
            m.author is not None and m.author.key == OWNER and not m.attachments
        )),
        # an id never seen with a handle keeps only the id
        ("1767900000000000013", lambda m: (
            m.author is not None and m.author.handle is None and m.extra["reactions"]
        )),
        # group DMs: no recipient, title from the newest rename
        ("1769900000000000105", lambda m: (
            m.recipients == () and m.conversation_title == "Operação Lucía"
            and m.extra["group"] is True and m.kind is MessageKind.USER
        )),
    ],
)
def test_dm_quirks(archive: Path, msg_id: str, check: object) -> None:
    _, msgs, _ = parse(archive)
    msg = by_id(msgs)[msg_id]
    assert callable(check) and check(msg), msg


def test_group_events_are_system(archive: Path) -> None:
    _, msgs, _ = parse(archive)
    system = [m for m in msgs if m.kind is MessageKind.SYSTEM]
    assert [m.extra["event"] for m in system] == [
        "conversationNameUpdate", "participantsLeave", "participantsJoin", "joinConversation",
    ]
    assert all(m.conversation_key == "1769900000000000000" for m in system)
    assert 'renamed the conversation to "Operação Lucía"' in system[0].text
    assert system[2].text.startswith("@patriota_alerta_77 added")
    assert system[3].locator.json_path == "$[0].dmConversation.messages[4].joinConversation"


def test_like_js_is_not_read() -> None:
    _, msgs, _ = parse(ARCHIVE)
    assert not any(m.locator.member and m.locator.member.endswith("like.js") for m in msgs)


@pytest.mark.parametrize(
    ("name", "json_path", "source_id", "text_part", "tz"),
    [
        # 2020-2021 archives: data/tweet.js, items wrapped in {"tweet": ...}
        ("tweet-2020.js", "$[0].tweet", "1300000000000000001", "https://example.org/audiencia",
         UTC),
        # 2019 archives: bare tweet objects; created_at with a non-zero offset
        ("tweet-2019.js", "$[0]", "1100000000000000002", "caravana por el agua",
         timezone(timedelta(hours=-5))),
    ],
)
def test_single_old_files(
    name: str, json_path: str, source_id: str, text_part: str, tz: timezone
) -> None:
    fmt, msgs, errors = parse(TW / name)
    assert fmt == "twitter" and not errors
    (msg,) = msgs
    assert msg.locator.member == name and msg.locator.json_path == json_path
    assert msg.source_id == source_id and text_part in msg.text
    assert msg.author is None  # no account.js: the owner is unknown
    assert msg.timestamp is not None and msg.timestamp.utcoffset() == tz.utcoffset(None)


def test_single_data_file_from_archive(tmp_path: Path) -> None:
    p = tmp_path / "direct-messages.js"
    shutil.copy(ARCHIVE / "data" / "direct-messages.js", p)
    fmt, msgs, errors = parse(p)
    assert fmt == "twitter" and len(msgs) == 4 and len(errors) == 1
    assert msgs[0].locator.member == "direct-messages.js"
    assert msgs[0].author is not None and msgs[0].author.handle is None  # no tweets to learn from


def test_manifest_names_owner_without_account_js(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    (folder / "data" / "account.js").unlink()
    _, msgs, _ = parse(folder)
    tweet = by_id(msgs)["1764712345678901234"]
    assert tweet.author is not None and tweet.author.key == OWNER
    assert tweet.author.handle == "@lucia_defiende"


TWEET = (
    '{"tweet": {"id_str": "1", "full_text": "hola", '
    '"created_at": "Wed Oct 10 20:19:24 +0000 2018"}}'
)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        # truncated JSON: line and column of the end, counted as in the file itself
        ("tweets.js", f"window.YTD.tweets.part0 = [\n  {TWEET},\n  {{\"tweet\": {{",
         r"tweets.js, line 3, column \d+: invalid JSON: ends too early"),
        # the wrapper's own characters count in the column on line 1
        ("tweets.js", "window.YTD.tweets.part0 = [ {,]",
         r"tweets.js, line 1, column 30: invalid JSON"),
        # a .js data file without the YTD wrapper
        ("tweets.js", f"[{TWEET}]", r"tweets.js, line 1: no 'window.YTD"),
        # a wrapper for a file this importer does not read
        ("other.js", "window.YTD.ad_impressions.part0 = []", r"ad_impressions is not a file"),
        ("tweets.js", "window.YTD.tweets.part0 = {}", r"not a JSON array"),
    ],
)
def test_broken_files_are_rejected(tmp_path: Path, name: str, content: str, match: str) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRejected, match=match):
        parse(p, "twitter")


@pytest.mark.parametrize(
    ("item", "where", "message"),
    [
        ('{"tweet": {"id_str": "2", "full_text": "x"}}', "$[1].tweet", "no created_at"),
        ('{"tweet": {"id_str": "2", "full_text": "x", "created_at": "ayer"}}', "$[1].tweet",
         "unreadable created_at"),
        ('{"tweet": {"id_str": "2", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}',
         "$[1].tweet", "no full_text"),
        ('"just a string"', "$[1]", "not a tweet"),
    ],
)
def test_bad_tweet_records(tmp_path: Path, item: str, where: str, message: str) -> None:
    p = tmp_path / "tweets.js"
    p.write_text(f"window.YTD.tweets.part0 = [{TWEET}, {item}]", encoding="utf-8")
    _, msgs, errors = parse(p)
    assert [m.source_id for m in msgs] == ["1"]
    assert [(e.member, e.where) for e in errors] == [("tweets.js", where)]
    assert message in errors[0].message


@pytest.mark.parametrize(
    ("conversation", "where"),
    [
        ('{"dmConversation": {"conversationId": "1-2", "messages": ["x"]}}',
         "$[0].dmConversation.messages[0]"),
        ('{"dmConversation": {"conversationId": "1-2", "messages": '
         '[{"messageCreate": {"id": "9", "senderId": "1", "text": "a", "createdAt": "never"}}]}}',
         "$[0].dmConversation.messages[0].messageCreate"),
        ('{"somethingElse": {}}', "$[0]"),
        ('{"dmConversation": {"conversationId": "1-2"}}', "$[0].dmConversation"),
    ],
)
def test_bad_dm_records(tmp_path: Path, conversation: str, where: str) -> None:
    p = tmp_path / "direct-messages.js"
    p.write_text(f"window.YTD.direct_messages.part0 = [{conversation}]", encoding="utf-8")
    _, msgs, errors = parse(p)
    assert msgs == [] and [e.where for e in errors] == [where]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("tweets.js", "window.YTD.tweets.part0 = [", 0.95),
        ("anything.txt", "window.YTD.direct_messages_group.part0 = [", 0.95),
        ("tweets.js", "\ufeffwindow.YTD.tweet.part0 = [", 0.95),
        ("tweets.js", "[]", 0.7),  # name fits, wrapper lost: chosen so parse can say why
        ("like.js", "window.YTD.like.part0 = [", 0.3),
        ("tweets.json", '[{"tweet": {}}]', 0.0),
        ("chat.txt", "[10/03/2024, 21:14:05] Ana: hola", 0.0),
        ("posts.csv", "id,text\n1,hola\n", 0.0),
        ("script.js", "window.foo = 1;", 0.0),
    ],
)
def test_sniff_single_files(tmp_path: Path, name: str, content: str, expected: float) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert TwitterImporter.sniff(open_source(p)) == expected


def test_sniff_archive_needs_wrapped_data_files(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "notes.js").write_text("window.YTD.tweets.part0 = []", encoding="utf-8")
    (folder / "readme.txt").write_text("x", encoding="utf-8")
    assert TwitterImporter.sniff(open_source(folder)) == 0.0
    (folder / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = []", encoding="utf-8")
    assert TwitterImporter.sniff(open_source(folder)) == 0.95


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed Oct 10 20:19:24 +0000 2018", datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)),
        ("Sun Feb 24 11:11:11 -0500 2019",
         datetime(2019, 2, 24, 11, 11, 11, tzinfo=timezone(timedelta(hours=-5)))),
        ("2024-03-12T03:14:15.926Z", datetime(2024, 3, 12, 3, 14, 15, 926000, tzinfo=UTC)),
    ],
)
def test_parse_twitter_date(value: str, expected: datetime) -> None:
    assert parse_twitter_date(value) == expected


@pytest.mark.parametrize("value", ["Wed Foo 10 20:19:24 +0000 2018", "yesterday", ""])
def test_parse_twitter_date_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_twitter_date(value)


def test_strip_wrapper_keeps_positions() -> None:
    name, body = strip_wrapper("window.YTD.tweets.part3 = [\n1]")
    assert name == "tweets"
    assert body == " " * len("window.YTD.tweets.part3 = ") + "[\n1]"
    assert strip_wrapper("[1]") == (None, "[1]")
