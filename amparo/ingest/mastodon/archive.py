"""Reading a Mastodon account archive: ActivityPub `outbox.json` (posts and boosts),
`actor.json`, `likes.json`, `bookmarks.json` and `media_attachments/`."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    RecordError,
)
from amparo.ingest.base import ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import as_list, opt_str
from amparo.ingest.mastodon.posts import PLATFORM, PUBLIC, _with_cw, handle_from, html_to_text
from amparo.ingest.sources import Source
from amparo.ingest.textio import decode_whole, load_json
from amparo.ingest.timeparse import parse_iso

_POST_TYPES = {"Note", "Question", "Article", "Page"}


class ArchiveReader:
    """State of one parse (the archive owner), and reading the archive's outbox, likes and
    bookmarks."""

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

