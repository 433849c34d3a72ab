"""Facebook and Instagram "Download your information" exports, in JSON.

Meta ships the same family of files for both platforms, as a zip, an unpacked folder, or a
caseworker may hand over a single JSON file:

- messages: ``messages/inbox/<thread>/message_<n>.json`` (also ``archived_threads``,
  ``message_requests``, ``filtered_threads``, ``e2ee_cutover``), under
  ``your_facebook_activity/`` or ``your_activity_across_facebook/`` in newer Facebook exports
  and ``your_instagram_activity/`` in newer Instagram ones. Keys: ``participants``,
  ``messages`` (newest first), ``title``, ``thread_path``.
- comments: Facebook ``comments.json`` with ``comments_v2`` (older: ``comments``); Instagram
  ``post_comments_<n>.json`` / ``reels_comments.json`` with ``string_map_data`` records.
- posts: Facebook ``your_posts_<n>.json`` (newer: ``your_posts__check_ins__photos_and_videos_
  <n>.json``) with ``data: [{post}]``; Instagram ``content/posts_<n>.json`` with ``media``.

Every string in these exports is mojibake: Meta wrote the UTF-8 bytes of the text as if they
were Latin-1 code points (``"\\u00c3\\u00a9"`` for "é"). `repair_mojibake` undoes that on every
string (keys included, because Instagram's ``string_map_data`` keys are localised).

Exports carry no user ids, so an account's key is its display name. Message text is the
``content``; a shared link is appended on its own line when the content does not already show
it (Instagram's ``share_text`` too). ``Call``/``Subscribe``/``Unsubscribe`` records and
Instagram's "Liked a message" / "Reacted ... to your message" notices are SYSTEM messages;
unsent messages are kept with ``extra["unsent"] = True``. Attachments (``photos``, ``videos``,
``audio_files``, ``files``, ``gifs``, ``sticker``) are linked to their archive member when the
``uri`` is in the source.

Facebook and Instagram are told apart by paths (``your_instagram_activity``, ``content/``,
Instagram-only folders) and content (``string_map_data``, ``comments_v2``, instagram.com
links, attachment uris). A lone message file with no such hint is ambiguous: Facebook is
preferred and ``--format instagram`` settles it.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from amparo.domain import (
    Attachment,
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    Platform,
    RecordError,
)
from amparo.ingest.base import Importer, ImportOptions
from amparo.ingest.errors import ImportRejected
from amparo.ingest.sources import FileSource, Source
from amparo.ingest.textio import load_json
from amparo.ingest.timeparse import from_epoch

# --------------------------------------------------------------------------- mojibake


def repair_mojibake(text: str) -> str:
    """Undo Meta's encoding: UTF-8 bytes written as Latin-1 code points.

    The round trip is applied only when it succeeds: text with a character above U+00FF was
    not mangled this way, and text whose bytes are not valid UTF-8 was genuine Latin-1.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair_tree(value: Any) -> Any:
    """`repair_mojibake` applied to every string (keys too) of a loaded JSON document."""
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [repair_tree(v) for v in value]
    if isinstance(value, dict):
        return {repair_mojibake(k): repair_tree(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- layout

_THREAD_DIRS = "inbox|archived_threads|message_requests|filtered_threads|e2ee_cutover"
MESSAGE_RE = re.compile(rf"(?:^|/)messages/(?:{_THREAD_DIRS})/([^/]+)/message_\d+\.json$")
COMMENTS_RE = re.compile(
    r"(?:^|/)(?:comments(?:_and_reactions)?/)?"
    r"(?:comments|post_comments(?:_\d+)?|reels_comments)\.json$"
)
POSTS_RE = re.compile(
    r"(?:^|/)(?:posts|content)/"
    r"(?:your_posts(?:__check_ins__photos_and_videos)?_\d+|posts_\d+)\.json$"
)

_IG_PATH_HINTS = (
    "your_instagram_activity/",
    "personal_information/personal_information/",
    "connections/followers_and_following/",
    "content/posts_",
    "post_comments_",
    "reels_comments",
    "instagram",
)
_FB_PATH_HINTS = (
    "your_facebook_activity/",
    "your_activity_across_facebook/",
    "comments_and_reactions/",
    "posts/your_posts",
    "profile_information/profile_information",
    "facebook",
)
_IG_HEAD_HINTS = (b"string_map_data", b"instagram.com", b"your_instagram_activity")
_FB_HEAD_HINTS = (
    b"comments_v2",
    b"your_facebook_activity",
    b"your_activity_across_facebook",
    b"facebook.com",
    b'"call_duration"',
)

_KIND_OF_MEMBER = (("messages", MESSAGE_RE), ("comments", COMMENTS_RE), ("posts", POSTS_RE))
_SYSTEM_TYPES = frozenset({"Call", "Subscribe", "Unsubscribe"})
# Instagram writes reactions into the thread as if they were messages.
_NOTICE_RE = re.compile(r"^(?:Liked a message|Reacted .{1,16} to your message)$", re.DOTALL)
_MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs")


def _member_kind(member: str) -> str | None:
    lower = member.lower()
    for kind, pattern in _KIND_OF_MEMBER:
        if pattern.search(lower):
            return kind
    return None


def _head_kind(head: bytes) -> str | None:
    """What a JSON member holds, judged from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        if b'"participants"' in text and (b'"sender_name"' in text or b'"messages"' in text):
            return "messages"
        if b'"comments_v2"' in text or re.search(
            rb'^\{\s*"comments_(?:media|reels)_comments"', text
        ):
            return "comments"
        if b'"messages"' in text and b'"timestamp_ms"' in text and b'"sender_name"' in text:
            return "messages"
        return None
    if text.startswith(b"["):
        if b'"string_map_data"' in text and b'"timestamp"' in text:
            return "comments"
        if (
            b'"timestamp"' in text
            and (b'"post"' in text or b'"attachments"' in text)
            and b'"data"' in text
        ) or (b'"media"' in text and b'"creation_timestamp"' in text and b'"uri"' in text):
            return "posts"
    return None


def classify(source: Source) -> tuple[float, Platform | None]:
    """How sure we are that the source is a Meta export, and which platform it looks like
    (None when nothing says)."""
    members = source.members()
    candidates = [m for m in members if _member_kind(m) is not None]
    if not candidates:  # a loose file or folder of files: judge JSON members by content
        candidates = [m for m in members if m.lower().endswith(".json")]
    if not candidates:
        return 0.0, None
    confirmed = 0
    ig = fb = 0
    for member in candidates[:4]:
        try:
            head = source.head(member, 16384)
        except OSError:
            continue
        if _head_kind(head) is None:
            continue
        confirmed += 1
        ig += sum(h in head for h in _IG_HEAD_HINTS)
        fb += sum(h in head for h in _FB_HEAD_HINTS)
    if not confirmed:
        return 0.0, None
    lowered = [m.lower() for m in members]
    ig += sum(any(h in m for m in lowered) for h in _IG_PATH_HINTS)
    fb += sum(any(h in m for m in lowered) for h in _FB_PATH_HINTS)
    if ig > fb:
        return 0.95, Platform.INSTAGRAM
    if fb > ig:
        return 0.95, Platform.FACEBOOK
    return 0.85, None


# --------------------------------------------------------------------------- importers


class _MetaImporter(Importer):
    """Shared parser; subclasses only name the platform."""

    def __init__(self) -> None:
        self._members: set[str] = set()

    @classmethod
    def sniff(cls, source: Source) -> float:
        score, platform = classify(source)
        if score == 0.0:
            return 0.0
        if platform is None:  # ambiguous: Facebook is the more common, Instagram next
            return score if cls.platform is Platform.FACEBOOK else score - 0.1
        return score if platform is cls.platform else 0.0

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        members = source.members()
        self._members = set(members)
        single = isinstance(source, FileSource)
        # In an export, files are found by their paths; loose files are judged by content.
        by_path = any(_member_kind(m) is not None for m in members)
        found = False
        for member in members:
            kind = _member_kind(member)
            if kind is None and (by_path or not member.lower().endswith(".json")) and not single:
                continue
            if kind is None:
                kind = _head_kind(source.head(member, 16384))
                if kind is None and single:
                    raise ImportRejected(
                        source.label(member),
                        f"not a {self.platform.value.title()} export file: no messages, "
                        "comments or posts found",
                    )
                if kind is None:
                    continue
            found = True
            doc = repair_tree(load_json(source, member))
            if kind == "messages":
                yield from self._thread(source, member, doc)
            elif kind == "comments":
                yield from self._comments(source, member, doc)
            else:
                yield from self._posts(source, member, doc)
        if not found:
            raise ImportRejected(
                source.name,
                f"no {self.platform.value.title()} messages, comments or posts found",
            )

    # ------------------------------------------------------------------ messages

    def _account(self, name: Any) -> ParsedAccount | None:
        if not isinstance(name, str) or not name:
            return None
        return ParsedAccount(self.platform, name, display_name=name)

    def _thread(
        self, source: Source, member: str, doc: Any
    ) -> Iterator[ParsedMessage | RecordError]:
        if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
            yield RecordError(member, "$", "not a message thread: no 'messages' list")
            return
        names = [
            p["name"] for p in doc.get("participants") or []
            if isinstance(p, dict) and isinstance(p.get("name"), str)
        ]
        thread_path = doc.get("thread_path")
        match = MESSAGE_RE.search(member.lower())
        folder = PurePosixPath(member).parent.name if match else None
        key = thread_path if isinstance(thread_path, str) and thread_path else folder
        title = doc.get("title") if isinstance(doc.get("title"), str) else None
        for i, msg in enumerate(doc["messages"]):
            where = f"$.messages[{i}]"
            if not isinstance(msg, dict):
                yield RecordError(member, where, "not a JSON object")
                continue
            try:
                timestamp = from_epoch(msg["timestamp_ms"])
            except KeyError:
                yield RecordError(member, where, "no timestamp_ms")
                continue
            except (TypeError, ValueError, OverflowError, OSError):
                yield RecordError(member, where, f"unreadable timestamp {msg['timestamp_ms']!r}")
                continue
            sender = msg.get("sender_name")
            content = msg.get("content")
            text = content if isinstance(content, str) else ""
            extra: dict[str, Any] = {}
            mtype = msg.get("type")
            if isinstance(mtype, str):
                extra["type"] = mtype
            share = msg.get("share")
            if isinstance(share, dict):
                extra["share"] = share
                for shown in (share.get("link"), share.get("share_text")):
                    if isinstance(shown, str) and shown and shown not in text:
                        text = f"{text}\n{shown}" if text else shown
            if msg.get("is_unsent"):
                extra["unsent"] = True
            reactions = [
                {"reaction": r.get("reaction"), "actor": r.get("actor")}
                for r in msg.get("reactions") or []
                if isinstance(r, dict)
            ]
            if reactions:
                extra["reactions"] = reactions
            if "call_duration" in msg:
                extra["call_duration"] = msg["call_duration"]
            users = [u.get("name") for u in msg.get("users") or [] if isinstance(u, dict)]
            if users:
                extra["users"] = users
            yield ParsedMessage(
                platform=self.platform,
                timestamp=timestamp,
                text=text,
                locator=Locator(member=member, json_path=where),
                author=self._account(sender),
                kind=(
                    MessageKind.SYSTEM
                    if mtype in _SYSTEM_TYPES or _NOTICE_RE.match(text)
                    else MessageKind.USER
                ),
                conversation_key=key,
                conversation_title=title,
                recipients=tuple(
                    a for n in names if n != sender and (a := self._account(n)) is not None
                ),
                attachments=self._attachments(source, member, msg),
                extra=extra,
            )

    def _attachments(
        self, source: Source, member: str, msg: dict[str, Any]
    ) -> tuple[Attachment, ...]:
        found: list[Attachment] = []
        items: list[Any] = []
        for key in _MEDIA_KEYS:
            value = msg.get(key)
            if isinstance(value, list):
                items.extend(value)
        if isinstance(msg.get("sticker"), dict):
            items.append(msg["sticker"])
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("uri"), str) and item["uri"]:
                found.append(self._attachment(source, member, item["uri"]))
        return tuple(found)

    def _attachment(self, source: Source, member: str, uri: str) -> Attachment:
        name = PurePosixPath(uri).name or uri
        mime = mimetypes.guess_type(name)[0]
        linked = self._find_member(member, uri)
        size = None
        if linked is not None:
            try:
                size = source.size(linked)
            except (OSError, KeyError):
                size = None
        return Attachment(name=name, mime_type=mime, size=size, member=linked)

    def _find_member(self, member: str, uri: str) -> str | None:
        """The archive member a uri names. Uris are relative to the export's root, which may
        sit under a top folder of the zip, and older uris omit the newer layouts' prefix."""
        if uri.startswith(("http://", "https://")):
            return None
        uri = uri.lstrip("/")
        if uri in self._members:
            return uri
        parts = PurePosixPath(member).parts[:-1]
        for i in range(len(parts), 0, -1):
            candidate = "/".join((*parts[:i], uri))
            if candidate in self._members:
                return candidate
        return None

    # ------------------------------------------------------------------ comments

    def _comments(
        self, source: Source, member: str, doc: Any
    ) -> Iterator[ParsedMessage | RecordError]:
        if isinstance(doc, list):
            yield from self._ig_comments(member, doc, "$")
            return
        if not isinstance(doc, dict):
            yield RecordError(member, "$", "not a comments file")
            return
        for key in ("comments_media_comments", "comments_reels_comments"):
            if isinstance(doc.get(key), list):
                yield from self._ig_comments(member, doc[key], f"$.{key}")
                return
        for key in ("comments_v2", "comments"):
            if isinstance(doc.get(key), list):
                yield from self._fb_comments(member, doc[key], f"$.{key}")
                return
        yield RecordError(member, "$", "not a comments file: no comments list")

    def _fb_comments(
        self, member: str, items: list[Any], base: str
    ) -> Iterator[ParsedMessage | RecordError]:
        for i, item in enumerate(items):
            where = f"{base}[{i}]"
            if not isinstance(item, dict):
                yield RecordError(member, where, "not a JSON object")
                continue
            comment: dict[str, Any] = {}
            for entry in item.get("data") or []:
                if isinstance(entry, dict) and isinstance(entry.get("comment"), dict):
                    comment = entry["comment"]
                    break
            text = comment.get("comment")
            if not isinstance(text, str):
                yield RecordError(member, where, "no comment text")
                continue
            raw_ts = comment.get("timestamp", item.get("timestamp"))
            try:
                timestamp = from_epoch(raw_ts) if raw_ts is not None else None
            except (TypeError, ValueError, OverflowError, OSError):
                yield RecordError(member, where, f"unreadable timestamp {raw_ts!r}")
                continue
            title = item.get("title") if isinstance(item.get("title"), str) else None
            extra: dict[str, Any] = {"record": "comment"}
            if title:
                extra["title"] = title
            if isinstance(comment.get("group"), str):
                extra["group"] = comment["group"]
            yield ParsedMessage(
                platform=self.platform,
                timestamp=timestamp,
                text=text,
                locator=Locator(member=member, json_path=where),
                author=self._account(comment.get("author")),
                conversation_title=title,
                extra=extra,
            )

    def _ig_comments(
        self, member: str, items: list[Any], base: str
    ) -> Iterator[ParsedMessage | RecordError]:
        for i, item in enumerate(items):
            where = f"{base}[{i}]"
            smd = item.get("string_map_data") if isinstance(item, dict) else None
            if not isinstance(smd, dict):
                yield RecordError(member, where, "no string_map_data")
                continue
            text: str | None = None
            owner: str | None = None
            timestamp = None
            values: list[str] = []
            for label, field in smd.items():
                if not isinstance(field, dict):
                    continue
                low = label.lower()
                value = field.get("value")
                if field.get("timestamp"):
                    try:
                        timestamp = from_epoch(field["timestamp"])
                    except (TypeError, ValueError, OverflowError, OSError):
                        yield RecordError(member, where, f"unreadable timestamp in {label!r}")
                        break
                if not isinstance(value, str):
                    continue
                values.append(value)
                if low.startswith(("comment", "coment")):
                    text = value
                elif any(w in low for w in ("owner", "propietario", "proprietário", "propri")):
                    owner = value
            else:
                if text is None:
                    text = max(values, key=len) if values else None
                if text is None:
                    yield RecordError(member, where, "no comment text")
                    continue
                extra: dict[str, Any] = {"record": "comment"}
                if owner:
                    extra["media_owner"] = owner
                yield ParsedMessage(
                    platform=self.platform,
                    timestamp=timestamp,
                    text=text,
                    locator=Locator(member=member, json_path=where),
                    extra=extra,
                )

    # ------------------------------------------------------------------ posts

    def _posts(
        self, source: Source, member: str, doc: Any
    ) -> Iterator[ParsedMessage | RecordError]:
        if not isinstance(doc, list):
            yield RecordError(member, "$", "not a posts file: expected a list")
            return
        for i, item in enumerate(doc):
            where = f"$[{i}]"
            if not isinstance(item, dict):
                yield RecordError(member, where, "not a JSON object")
                continue
            texts: list[str] = []
            raw_ts: Any = item.get("timestamp", item.get("creation_timestamp"))
            for entry in item.get("data") or []:
                if isinstance(entry, dict) and isinstance(entry.get("post"), str):
                    texts.append(entry["post"])
            uris: list[str] = []
            for att in item.get("attachments") or []:
                for entry in (att.get("data") or []) if isinstance(att, dict) else []:
                    media = entry.get("media") if isinstance(entry, dict) else None
                    if isinstance(media, dict) and isinstance(media.get("uri"), str):
                        uris.append(media["uri"])
                        if not texts and isinstance(media.get("description"), str):
                            texts.append(media["description"])
                    ext = entry.get("external_context") if isinstance(entry, dict) else None
                    if isinstance(ext, dict) and isinstance(ext.get("url"), str):
                        texts.append(ext["url"])
            for media in item.get("media") or []:  # Instagram
                if isinstance(media, dict) and isinstance(media.get("uri"), str):
                    uris.append(media["uri"])
                    if raw_ts is None:
                        raw_ts = media.get("creation_timestamp")
                    if isinstance(media.get("title"), str) and media["title"] and not texts:
                        texts.append(media["title"])
            title = item.get("title") if isinstance(item.get("title"), str) else None
            if "media" in item and title and title not in texts:  # Instagram caption
                texts.insert(0, title)
            if not texts and not uris:
                yield RecordError(member, where, "no post text or media")
                continue
            try:
                timestamp = from_epoch(raw_ts) if raw_ts is not None else None
            except (TypeError, ValueError, OverflowError, OSError):
                yield RecordError(member, where, f"unreadable timestamp {raw_ts!r}")
                continue
            extra: dict[str, Any] = {"record": "post"}
            if title and "media" not in item:
                extra["title"] = title
            yield ParsedMessage(
                platform=self.platform,
                timestamp=timestamp,
                text="\n".join(texts),
                locator=Locator(member=member, json_path=where),
                attachments=tuple(self._attachment(source, member, u) for u in uris),
                extra=extra,
            )


class FacebookImporter(_MetaImporter):
    name: ClassVar[str] = "facebook"
    platform: ClassVar[Platform] = Platform.FACEBOOK
    description: ClassVar[str] = (
        "Facebook 'Download your information' JSON: Messenger threads, comments, posts"
    )


class InstagramImporter(_MetaImporter):
    name: ClassVar[str] = "instagram"
    platform: ClassVar[Platform] = Platform.INSTAGRAM
    description: ClassVar[str] = (
        "Instagram 'Download your information' JSON: direct messages, comments, posts"
    )
