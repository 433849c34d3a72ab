"""Mastodon: the account archive ("Request your archive": `outbox.json`, `actor.json`,
`likes.json`, `bookmarks.json`, `media_attachments/`) as a folder or zip, and JSON saved from
the Mastodon REST API (a list of statuses, a list of notifications, or a thread's context).

The archive is ActivityPub: `outbox.json` is an `OrderedCollection` of `Create` activities
(the post is the `object`, a `Note`, or a `Question` for polls) and `Announce` activities
(boosts, whose object is only the boosted post's URI). The API gives `Status` and
`Notification` entities. Either way the post body is HTML; it becomes plain text with
paragraphs and line breaks kept, link targets visible and entities decoded, and the HTML is
kept in `extra["html"]`. A content warning goes in front as `CW: ...`.

Authors are keyed by their actor URI (the API's `account.uri`, else the instance-local id) with
the handle `@user@instance`.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar
from urllib.parse import urlsplit

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest import htmltext
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.htmltext import HtmlStyle
from amparo.ingest.jsonvalues import as_list, opt_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import decode_whole, head_text, load_json
from amparo.ingest.timeparse import parse_iso

PLATFORM = Platform.MASTODON
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_POST_TYPES = {"Note", "Question", "Article", "Page"}
NOTIFICATION_TYPES = (
    "mention", "status", "reblog", "favourite", "follow", "follow_request", "poll", "update",
    "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning", "quote",
    "quoted_update",
)
_USER_NOTIFICATIONS = {"mention", "status", "update", "quote"}

# ---- HTML to text -----------------------------------------------------------------------

_BLOCK = ("p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")


def _render_link(href: str, cls: str, text: str) -> str:
    text = text.strip()
    classes = set(cls.split())
    if "hashtag" in classes or text.startswith("#"):
        return text or href
    if "mention" in classes or text.startswith("@"):
        return handle_from(text, href) or text or href
    if not href:
        return text
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", href, flags=re.IGNORECASE).rstrip("/")
    shown = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE).rstrip("/…").rstrip()
    if not text or shown == bare or (text.endswith("…") and bare.startswith(shown)):
        return href
    return f"{text} ({href})"


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Paragraphs become blank lines, `<br>` a newline, list items `- ` lines, images their alt
# text, and links show where they lead (mentions as `@user@instance`, hashtags as `#tag`).
POST_HTML = HtmlStyle(
    start={"br": "\n", **{tag: "\n\n" for tag in _BLOCK}, "li": "\n- "},
    end={tag: "\n\n" for tag in _BLOCK},
    empty={"br": "\n", **{tag: "\n\n\n\n" for tag in _BLOCK}, "li": "\n- "},
    skip=frozenset({"script", "style", "template"}),
    link=_render_link,
    tidy=_tidy,
    empty_links=True,
    render_unclosed=True,
    collapse_spaces=True,
    img_alt=True,
)


def html_to_text(html: str) -> str:
    """Plain text of a post's HTML (see `POST_HTML`)."""
    return htmltext.html_to_text(html, POST_HTML)


# ---- accounts -----------------------------------------------------------------------------

_PROFILE_RE = re.compile(r"^/(?:@([^/@]+)|users/([^/]+))/?")


def handle_from(name: str | None, url: str | None) -> str | None:
    """`@user@instance` from a mention's text (`@user` or `@user@instance`) and/or a profile or
    actor URL (`https://instance/@user`, `https://instance/users/user`)."""
    host = urlsplit(url).hostname if url else None
    user = None
    if name:
        bare = name.strip().lstrip("@")
        if "@" in bare:
            return f"@{bare}"
        user = bare or None
    if url and not user:
        m = _PROFILE_RE.match(urlsplit(url).path)
        if m:
            user = m.group(1) or m.group(2)
    if user and host:
        return f"@{user}@{host}"
    return f"@{user}" if user else None


def api_account(acc: Any) -> ParsedAccount | None:
    if not isinstance(acc, dict):
        return None
    key = opt_str(acc.get("uri")) or opt_str(acc.get("id")) or opt_str(acc.get("url"))
    acct = opt_str(acc.get("acct")) or opt_str(acc.get("username"))
    handle = handle_from(acct, opt_str(acc.get("url")) or opt_str(acc.get("uri")))
    if not key:
        if not handle:
            return None
        key = handle
    return ParsedAccount(
        PLATFORM, key, handle=handle, display_name=opt_str(acc.get("display_name")) or None
    )




def _with_cw(summary: str | None, text: str) -> str:
    if summary:
        return f"CW: {summary}\n\n{text}" if text else f"CW: {summary}"
    return text


class MastodonImporter(Importer):
    name: ClassVar[str] = "mastodon"
    platform: ClassVar[Platform] = PLATFORM
    description: ClassVar[str] = (
        "Mastodon account archive (outbox.json, folder or zip) or Mastodon API JSON "
        "(statuses, notifications)"
    )

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        outboxes = [m for m in members if PurePosixPath(m).name == "outbox.json"]
        for member in outboxes[:2]:
            if _looks_like_collection(head_text(source, member, 2048)):
                return 0.95
        if outboxes and any(PurePosixPath(m).name == "actor.json" for m in members):
            return 0.8
        if len(members) != 1 or not members[0].lower().endswith(".json"):
            return 0.0
        head = head_text(source, members[0], 8192).lstrip("\ufeff \t\r\n")
        if head.startswith("{") and _looks_like_collection(head):
            return 0.9 if '"Create"' in head or '"Announce"' in head else 0.0
        if head.startswith("{") and re.match(r'\{\s*"(ancestors|descendants)"\s*:', head):
            return 0.9 if '"account"' in head else 0.0
        if head.startswith("{") and _has_keys(head, "content", "account", "created_at"):
            return 0.9 if _has_keys(head, "visibility") else 0.0
        if not head.startswith("["):
            return 0.0
        if _has_keys(head, "content", "account", "created_at") and (
            _has_keys(head, "visibility") or _has_keys(head, "spoiler_text")
        ):
            return 0.9
        types = "|".join(re.escape(t) for t in NOTIFICATION_TYPES)
        if _has_keys(head, "account", "created_at") and re.search(
            rf'"type"\s*:\s*"(?:{types})"', head
        ) and _has_keys(head, "acct"):
            return 0.9
        return 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        yield from _Run(source, options).parse()


def _has_keys(head: str, *keys: str) -> bool:
    return all(re.search(rf'"{re.escape(k)}"\s*:', head) for k in keys)


def _looks_like_collection(head: str) -> bool:
    return bool(
        re.search(r'"type"\s*:\s*"OrderedCollection"', head)
        and (_has_keys(head, "orderedItems") or "activitystreams" in head)
    )


class _Run:
    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.members = source.members()
        self.member_set = set(self.members)
        self.owner: ParsedAccount | None = None

    def _load(self, member: str) -> Any:
        if self.options.encoding is None:
            return load_json(self.source, member)
        with self.source.open(member) as fh:
            raw = fh.read(self.source.limits.max_json_bytes + 1)
        label = self.source.label(member)
        if len(raw) > self.source.limits.max_json_bytes:
            raise ImportRejected(label, "larger than the limit for JSON exports")
        return load_json(
            self.source, member, text=decode_whole(raw, label, self.options.encoding)
        )

    def parse(self) -> Iterator[ParsedMessage | RecordError]:
        outboxes = [m for m in self.members if PurePosixPath(m).name == "outbox.json"]
        if outboxes:
            for outbox in outboxes:
                yield from self._archive(outbox)
            return
        for member in self.members:
            if member.lower().endswith(".json"):
                yield from self._api_file(member)

    # ---- archive -----------------------------------------------------------------------

    def _archive(self, outbox: str) -> Iterator[ParsedMessage | RecordError]:
        base = PurePosixPath(outbox).parent
        actor_member = (base / "actor.json").as_posix()
        if actor_member in self.member_set:
            actor = self._load(actor_member)
            if isinstance(actor, dict) and opt_str(actor.get("id")):
                self.owner = ParsedAccount(
                    PLATFORM, str(actor["id"]),
                    handle=handle_from(opt_str(actor.get("preferredUsername")), str(actor["id"])),
                    display_name=opt_str(actor.get("name")),
                )
        data = self._load(outbox)
        label = self.source.label(outbox)
        items = data.get("orderedItems") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ImportRejected(
                label, "not an ActivityPub OrderedCollection (no orderedItems list)",
                where="$.orderedItems",
            )
        for i, activity in enumerate(items):
            yield self._activity(outbox, f"$.orderedItems[{i}]", activity, base)
        for fname, verb in (("likes.json", "like"), ("bookmarks.json", "bookmark")):
            member = (base / fname).as_posix()
            if member in self.member_set:
                yield from self._collection(member, verb)

    def _account_for(self, uri: str | None) -> ParsedAccount | None:
        if not uri:
            return self.owner
        if self.owner is not None and self.owner.key == uri:
            return self.owner
        return ParsedAccount(PLATFORM, uri, handle=handle_from(None, uri))

    def _activity(
        self, member: str, path: str, activity: Any, base: PurePosixPath
    ) -> ParsedMessage | RecordError:
        if not isinstance(activity, dict):
            return RecordError(member, path, "activity is not an object")
        atype = activity.get("type")
        if atype == "Announce":
            return self._announce(member, path, activity)
        if atype != "Create":
            return RecordError(member, path, f"unsupported activity type {atype!r}")
        obj = activity.get("object")
        opath = f"{path}.object"
        if not isinstance(obj, dict):
            return RecordError(member, opath, "the created object is not embedded")
        if obj.get("type") not in _POST_TYPES:
            return RecordError(member, opath, f"unsupported object type {obj.get('type')!r}")
        raw_ts = obj.get("published") or activity.get("published")
        if not raw_ts:
            return RecordError(member, opath, "post has no published time")
        try:
            timestamp = parse_iso(str(raw_ts))
        except ValueError:
            return RecordError(member, opath, f"unreadable published time {raw_ts!r}")
        html = obj.get("content")
        content_map = obj.get("contentMap")
        if not isinstance(html, str) and isinstance(content_map, dict) and content_map:
            html = next(iter(content_map.values()))
        if html is not None and not isinstance(html, str):
            return RecordError(member, opath, "content is not a string")
        html = html or ""
        summary = opt_str(obj.get("summary"))
        text = _with_cw(summary, html_to_text(html))
        extra: dict[str, Any] = {"html": html}
        if summary:
            extra["content_warning"] = summary
        if obj.get("sensitive"):
            extra["sensitive"] = True
        if isinstance(content_map, dict) and content_map:
            extra["language"] = next(iter(content_map))
        for key in ("url", "conversation", "updated"):
            if opt_str(obj.get(key)):
                extra[key] = obj[key]
        extra["visibility"] = _visibility(obj, opt_str(activity.get("actor")))
        options = as_list(obj.get("oneOf")) or as_list(obj.get("anyOf"))
        if options:
            names = [str(o.get("name", "")) for o in options if isinstance(o, dict)]
            extra["poll"] = {
                "multiple": bool(as_list(obj.get("anyOf"))),
                "options": [
                    {"name": o.get("name"),
                     "votes": (o.get("replies") or {}).get("totalItems")}
                    for o in options if isinstance(o, dict)
                ],
            }
            text = text + "\n\n" + "\n".join(f"( ) {n}" for n in names)
        recipients = []
        hashtags = []
        for tag in as_list(obj.get("tag")):
            if not isinstance(tag, dict):
                continue
            if tag.get("type") == "Mention":
                href = opt_str(tag.get("href"))
                handle = handle_from(opt_str(tag.get("name")), href)
                if href or handle:
                    recipients.append(
                        ParsedAccount(PLATFORM, href or handle or "", handle=handle)
                    )
            elif tag.get("type") == "Hashtag" and tag.get("name"):
                hashtags.append(str(tag["name"]))
        if hashtags:
            extra["hashtags"] = hashtags
        attachments, media = self._archive_media(obj, base)
        if media:
            extra["media"] = media
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=opath),
            author=self._account_for(
                opt_str(obj.get("attributedTo")) or opt_str(activity.get("actor"))
            ),
            kind=MessageKind.USER,
            source_id=opt_str(obj.get("id")),
            conversation_key="outbox",
            recipients=tuple(recipients),
            reply_to=opt_str(obj.get("inReplyTo")),
            attachments=attachments,
            extra=extra,
        )

    def _archive_media(
        self, obj: dict[str, Any], base: PurePosixPath
    ) -> tuple[tuple[Attachment, ...], list[dict[str, Any]]]:
        attachments = []
        media = []
        for att in as_list(obj.get("attachment")):
            if not isinstance(att, dict):
                continue
            url = opt_str(att.get("url")) or ""
            media.append({k: att[k] for k in ("type", "mediaType", "url", "name") if att.get(k)})
            path = urlsplit(url).path
            idx = path.find("media_attachments/")
            cand = (base / path[idx:]).as_posix() if idx >= 0 else None
            name = PurePosixPath(path).name or None
            mime = opt_str(att.get("mediaType")) or mimetypes.guess_type(name or "")[0]
            if cand and cand in self.member_set:
                attachments.append(
                    Attachment(name=name, mime_type=mime, size=self.source.size(cand), member=cand)
                )
            else:
                attachments.append(Attachment(name=name, mime_type=mime, omitted=True))
        return tuple(attachments), media

    def _announce(self, member: str, path: str, activity: dict[str, Any]) -> ParsedMessage:
        obj = activity.get("object")
        target = opt_str(obj.get("id")) if isinstance(obj, dict) else opt_str(obj)
        raw_ts = activity.get("published")
        try:
            timestamp = parse_iso(str(raw_ts)) if raw_ts else None
        except ValueError:
            timestamp = None
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=f"Boosted {target or 'a post'}",
            locator=Locator(member=member, json_path=path),
            author=self._account_for(opt_str(activity.get("actor"))),
            kind=MessageKind.SYSTEM,
            source_id=opt_str(activity.get("id")),
            conversation_key="outbox",
            forwarded_from=handle_from(None, target) if target else None,
            extra={"activity": "Announce", "boost_of": target,
                   "visibility": _visibility(activity, opt_str(activity.get("actor")))},
        )

    def _collection(self, member: str, verb: str) -> Iterator[ParsedMessage | RecordError]:
        data = self._load(member)
        items = data.get("orderedItems") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ImportRejected(
                self.source.label(member), "no orderedItems list", where="$.orderedItems"
            )
        past = {"like": "Liked", "bookmark": "Bookmarked"}[verb]
        for i, item in enumerate(items):
            path = f"$.orderedItems[{i}]"
            uri = opt_str(item.get("id")) if isinstance(item, dict) else opt_str(item)
            if not uri:
                yield RecordError(member, path, "no post URI")
                continue
            yield ParsedMessage(
                platform=PLATFORM,
                timestamp=None,
                text=f"{past} {uri}",
                locator=Locator(member=member, json_path=path),
                author=self.owner,
                kind=MessageKind.SYSTEM,
                conversation_key=f"{verb}s",
                extra={"activity": verb, "object": uri},
            )

    # ---- API JSON ----------------------------------------------------------------------

    def _api_file(self, member: str) -> Iterator[ParsedMessage | RecordError]:
        data = self._load(member)
        label = self.source.label(member)
        if isinstance(data, dict) and ("ancestors" in data or "descendants" in data):
            for part in ("ancestors", "descendants"):
                for i, st in enumerate(as_list(data.get(part))):
                    yield self._status(member, f"$.{part}[{i}]", st, "context")
            return
        if isinstance(data, dict) and "orderedItems" in data:
            for i, activity in enumerate(as_list(data["orderedItems"])):
                yield self._activity(
                    member, f"$.orderedItems[{i}]", activity, PurePosixPath(member).parent
                )
            return
        if isinstance(data, dict) and "content" in data and "account" in data:
            yield self._status(member, "$", data, "statuses")
            return
        if not isinstance(data, list):
            raise ImportRejected(
                label, "expected a JSON list of Mastodon statuses or notifications",
                where="line 1",
            )
        for i, item in enumerate(data):
            path = f"$[{i}]"
            if not isinstance(item, dict):
                yield RecordError(member, path, "not a JSON object")
            elif "content" not in item and isinstance(item.get("type"), str):
                yield self._notification(member, path, item)
            else:
                yield self._status(member, path, item, "statuses")

    def _status(
        self, member: str, path: str, st: Any, conversation: str
    ) -> ParsedMessage | RecordError:
        if not isinstance(st, dict):
            return RecordError(member, path, "status is not an object")
        raw_ts = st.get("created_at")
        if not raw_ts:
            return RecordError(member, path, "status has no created_at")
        try:
            timestamp = parse_iso(str(raw_ts))
        except ValueError:
            return RecordError(member, path, f"unreadable created_at {raw_ts!r}")
        author = api_account(st.get("account"))
        reblog = st.get("reblog")
        shown = reblog if isinstance(reblog, dict) else st
        html = shown.get("content")
        if html is not None and not isinstance(html, str):
            return RecordError(member, path, "content is not a string")
        html = html or ""
        summary = opt_str(shown.get("spoiler_text"))
        text = _with_cw(summary, html_to_text(html))
        extra: dict[str, Any] = {"html": html}
        forwarded_from = None
        if shown is not st:
            original = api_account(shown.get("account"))
            forwarded_from = original.handle or original.key if original else None
            extra["reblog_of"] = opt_str(shown.get("uri")) or opt_str(shown.get("id"))
        if summary:
            extra["content_warning"] = summary
        for key in ("visibility", "language", "url", "uri", "edited_at",
                    "in_reply_to_account_id", "replies_count", "reblogs_count",
                    "favourites_count"):
            if st.get(key) not in (None, ""):
                extra[key] = st[key]
        if shown.get("sensitive"):
            extra["sensitive"] = True
        poll = shown.get("poll")
        if isinstance(poll, dict) and as_list(poll.get("options")):
            names = [str(o.get("title", "")) for o in poll["options"] if isinstance(o, dict)]
            extra["poll"] = poll
            text = text + "\n\n" + "\n".join(f"( ) {n}" for n in names)
        recipients = []
        for mention in as_list(shown.get("mentions")):
            acc = api_account(mention)
            if acc:
                recipients.append(acc)
        attachments = []
        media = []
        for att in as_list(shown.get("media_attachments")):
            if not isinstance(att, dict):
                continue
            url = opt_str(att.get("url")) or opt_str(att.get("remote_url")) or ""
            name = PurePosixPath(urlsplit(url).path).name or None
            attachments.append(
                Attachment(name=name, mime_type=mimetypes.guess_type(name or "")[0], omitted=True)
            )
            media.append({k: att[k] for k in ("id", "type", "url", "remote_url", "description")
                          if att.get(k)})
        if media:
            extra["media"] = media
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=author,
            kind=MessageKind.USER,
            source_id=opt_str(st.get("id")),
            conversation_key=conversation,
            recipients=tuple(recipients),
            reply_to=opt_str(shown.get("in_reply_to_id")),
            forwarded_from=forwarded_from,
            attachments=tuple(attachments),
            extra=extra,
        )

    def _notification(
        self, member: str, path: str, note: dict[str, Any]
    ) -> ParsedMessage | RecordError:
        ntype = str(note["type"])
        meta = {"notification_id": opt_str(note.get("id")), "notification_type": ntype}
        status = note.get("status")
        if ntype in _USER_NOTIFICATIONS:
            if not isinstance(status, dict):
                return RecordError(member, path, f"{ntype} notification without a status")
            msg = self._status(member, f"{path}.status", status, "notifications")
            if isinstance(msg, ParsedMessage):
                msg.extra.update(meta)
            return msg
        raw_ts = note.get("created_at")
        if not raw_ts:
            return RecordError(member, path, "notification has no created_at")
        try:
            timestamp = parse_iso(str(raw_ts))
        except ValueError:
            return RecordError(member, path, f"unreadable created_at {raw_ts!r}")
        account = api_account(note.get("account"))
        who = (account.handle or account.key) if account else "someone"
        target = ""
        extra: dict[str, Any] = dict(meta)
        if isinstance(status, dict):
            target = (
                opt_str(status.get("url")) or opt_str(status.get("uri"))
                or opt_str(status.get("id")) or ""
            )
            extra["status_id"] = opt_str(status.get("id"))
            extra["status_text"] = html_to_text(str(status.get("content") or ""))
        if ntype == "favourite":
            text = f"{who} favourited your post {target}".rstrip()
        elif ntype == "reblog":
            text = f"{who} boosted your post {target}".rstrip()
        elif ntype == "follow":
            text = f"{who} followed you"
        elif ntype == "follow_request":
            text = f"{who} requested to follow you"
        elif ntype == "poll":
            text = f"A poll has ended {target}".rstrip()
        elif ntype == "admin.sign_up":
            text = f"{who} signed up"
        elif ntype == "admin.report":
            report = note.get("report") if isinstance(note.get("report"), dict) else {}
            assert isinstance(report, dict)
            reported = api_account(report.get("target_account"))
            text = f"{who} filed a report"
            if reported:
                text += f" against {reported.handle or reported.key}"
            if opt_str(report.get("comment")):
                text += f": {report['comment']}"
            extra["report"] = report
        else:
            text = f"{ntype} notification"
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=account,
            kind=MessageKind.SYSTEM,
            source_id=opt_str(note.get("id")),
            conversation_key="notifications",
            extra=extra,
        )


def _visibility(obj: dict[str, Any], actor: str | None) -> str:
    """public / unlisted / private (followers only) / direct, from ActivityPub addressing."""
    to = [str(x) for x in as_list(obj.get("to"))]
    cc = [str(x) for x in as_list(obj.get("cc"))]
    if PUBLIC in to or "as:Public" in to:
        return "public"
    if PUBLIC in cc or "as:Public" in cc:
        return "unlisted"
    if any(x.endswith("/followers") for x in to):
        return "private"
    return "direct"
