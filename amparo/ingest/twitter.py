"""X/Twitter account archive: the folder or zip that "Download an archive of your data" gives,
or one of its `.js` files on its own.

Every data file is a JavaScript assignment, `window.YTD.tweets.part0 = [ ... ]`. The wrapper is
blanked out (replaced by spaces, so JSON error lines and columns still match the file) and the
array is parsed as JSON. What is read:

- `data/account.js` (and, as a fallback, `data/manifest.js`): the archive owner, who is the
  author of every tweet.
- `data/tweets.js` (older archives: `data/tweet.js`), split into `tweets-part1.js`, ... when
  large; `data/deleted-tweets.js` (marked `extra["deleted"]`).
- `data/direct-messages.js` and `data/direct-messages-group.js` (older: `direct-message.js`,
  `direct-message-group.js`): one conversation per entry; `messageCreate` events are messages,
  joins/leaves/renames are system events.

Quirks handled: numbers are strings; tweet text is HTML-escaped (`&amp;`) and carries `t.co`
links, which are expanded (the original text is kept in `extra["full_text"]`); retweets are only
recognisable by their `RT @handle:` prefix; DM link entities use `expanded` instead of
`expanded_url`; DM conversations list their newest message first; media files sit beside the
data files as `tweets_media/<tweet id>-<file name>` (or `direct_messages_media/<message id>-...`).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
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
from amparo.ingest.jsonvalues import as_dict, as_list, opt_str
from amparo.ingest.sources import Source
from amparo.ingest.textio import decode_whole, head_text, load_json
from amparo.ingest.timeparse import parse_iso

PLATFORM = Platform.TWITTER

# `window.YTD.<name>.part<N> = ` before the JSON array.
_WRAPPER_RE = re.compile(r"\A(\ufeff?\s*)window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
# `window.__THAR_CONFIG = {...}` in data/manifest.js.
_MANIFEST_RE = re.compile(r"\A(\ufeff?\s*)window\.__THAR_CONFIG\s*=\s*")

# Data kinds this importer reads, in the order they are read.
ACCOUNT, TWEETS, DELETED, DMS, GROUP_DMS = "account", "tweets", "deleted", "dms", "group_dms"
_KIND_ORDER = (ACCOUNT, TWEETS, DELETED, DMS, GROUP_DMS)

# YTD variable names (and, with '-' for '_', file names) for each kind.
_YTD_KINDS: dict[str, str] = {
    "account": ACCOUNT,
    "tweet": TWEETS,
    "tweets": TWEETS,
    "deleted_tweet": DELETED,
    "deleted_tweets": DELETED,
    "direct_message": DMS,
    "direct_messages": DMS,
    "direct_message_group": GROUP_DMS,
    "direct_messages_group": GROUP_DMS,
}
_FILE_RE = re.compile(
    r"^(account|tweets?|deleted-tweets?|direct-messages?|direct-messages?-group)"
    r"(?:-part(\d+))?\.(js|json)$",
    re.IGNORECASE,
)

_MEDIA_DIRS: dict[str, tuple[str, ...]] = {
    TWEETS: ("tweets_media", "tweet_media"),
    DELETED: ("deleted_tweets_media", "tweets_media"),
    DMS: ("direct_messages_media", "direct_message_media"),
    GROUP_DMS: ("direct_messages_group_media", "direct_message_group_media"),
}

_RT_RE = re.compile(r"^RT @(\w{1,50}):")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_TWITTER_DATE_RE = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$"
)


def parse_twitter_date(value: str) -> datetime:
    """`Wed Oct 10 20:19:24 +0000 2018` (locale-independent), else ISO 8601."""
    text = value.strip()
    m = _TWITTER_DATE_RE.match(text)
    if not m:
        return parse_iso(text)
    mon, day, hh, mm, ss, sign, oh, om, year = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        raise ValueError(f"unknown month {mon!r}")
    offset = timedelta(hours=int(oh), minutes=int(om))
    tz = timezone(-offset if sign == "-" else offset)
    return datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=tz)


def file_kind(member: str) -> tuple[str, int] | None:
    """The data kind and part number a member's file name announces, or None."""
    m = _FILE_RE.match(PurePosixPath(member).name)
    if not m:
        return None
    kind = _YTD_KINDS[m.group(1).lower().replace("-", "_")]
    return kind, int(m.group(2) or 0)


def strip_wrapper(text: str) -> tuple[str | None, str]:
    """(YTD name, text with the wrapper blanked) — None when there is no wrapper. Blanking with
    spaces (newlines kept) keeps JSON error positions equal to the file's own."""
    m = _WRAPPER_RE.match(text)
    if not m:
        return None, text
    prefix = m.group(0)
    blank = "".join(c if c == "\n" else " " for c in prefix)
    return m.group(2), blank + text[len(prefix) :]


def unescape_twitter(text: str) -> str:
    """Twitter escapes only `&`, `<` and `>` in tweet text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")





class TwitterImporter(Importer):
    name: ClassVar[str] = "twitter"
    platform: ClassVar[Platform] = PLATFORM
    description: ClassVar[str] = (
        "X/Twitter account archive (folder or zip) or one of its data/*.js files"
    )

    @classmethod
    def sniff(cls, source: Source) -> float:
        members = source.members()
        if len(members) == 1:
            member = members[0]
            head = head_text(source, member, 512)
            m = _WRAPPER_RE.match(head)
            if m:
                return 0.95 if m.group(2).lower() in _YTD_KINDS else 0.3
            if member.lower().endswith(".js") and file_kind(member):
                return 0.7  # a data file that lost its wrapper: parse explains what is wrong
            return 0.0
        known = [m for m in members if file_kind(m) and m.lower().endswith(".js")]
        if not known:
            return 0.0
        for member in known[:4]:
            if _WRAPPER_RE.match(head_text(source, member, 512)):
                return 0.95
        return 0.6

    def parse(
        self, source: Source, options: ImportOptions
    ) -> Iterator[ParsedMessage | RecordError]:
        run = _Run(source, options)
        yield from run.parse()


class _Run:
    """State of one parse: the archive owner and the user-id → handle map learned so far."""

    def __init__(self, source: Source, options: ImportOptions) -> None:
        self.source = source
        self.options = options
        self.members = source.members()
        self.member_set = set(self.members)
        self.owner: ParsedAccount | None = None
        self.handles: dict[str, str] = {}
        self.names: dict[str, str] = {}

    # ---- files -------------------------------------------------------------------------

    def parse(self) -> Iterator[ParsedMessage | RecordError]:
        single = len(self.members) == 1
        plan: list[tuple[int, int, str]] = []
        for member in self.members:
            fk = file_kind(member)
            if fk is None and not single:
                continue
            kind, part = fk or (TWEETS, 0)
            plan.append((_KIND_ORDER.index(kind), part, member))
        if not single:
            manifest = [m for m in self.members if PurePosixPath(m).name == "manifest.js"]
            if manifest:
                self._read_manifest(manifest[0])
        for _, _, member in sorted(plan):
            yield from self._parse_member(member)

    def _read(self, member: str) -> str:
        label = self.source.label(member)
        size = self.source.size(member)
        limit = self.source.limits.max_json_bytes
        if size > limit:
            raise ImportRejected(
                label,
                f"{size} bytes is more than the {limit}-byte limit for JSON exports "
                "(set AMPARO_MAX_JSON_BYTES to raise it)",
            )
        with self.source.open(member) as fh:
            raw = fh.read()
        return decode_whole(raw, label, self.options.encoding)

    def _read_manifest(self, member: str) -> None:
        text = self._read(member)
        m = _MANIFEST_RE.match(text)
        if not m:
            return
        body = text[m.end() :].rstrip().rstrip(";")
        try:
            data = load_json(self.source, member, text=body)
        except ImportRejected:
            return  # the manifest only helps name the owner; account.js is authoritative
        info = as_dict(as_dict(data).get("userInfo"))
        key = opt_str(info.get("accountId"))
        if key and self.owner is None:
            handle = opt_str(info.get("userName"))
            self._set_owner(key, handle, opt_str(info.get("displayName")))

    def _parse_member(self, member: str) -> Iterator[ParsedMessage | RecordError]:
        label = self.source.label(member)
        text = self._read(member)
        ytd, body = strip_wrapper(text)
        fk = file_kind(member)
        if ytd is None:
            if member.lower().endswith(".js") or fk is None:
                raise ImportRejected(
                    label,
                    "no 'window.YTD.<name>.part0 = ' line before the data; this is not an "
                    "unmodified X/Twitter archive file",
                    where="line 1",
                )
            kind = fk[0]
        else:
            found = _YTD_KINDS.get(ytd.lower())
            if found is None:
                if fk is None:
                    raise ImportRejected(
                        label,
                        f"window.YTD.{ytd} is not a file Amparo reads from X archives "
                        "(tweets, deleted tweets, direct messages, account)",
                        where="line 1",
                    )
                found = fk[0]
            kind = found
        if body.rstrip().endswith(";"):
            body = body.rstrip()[:-1]
        data = load_json(self.source, member, text=body)
        if not isinstance(data, list):
            raise ImportRejected(label, "the data is not a JSON array", where="line 1")
        if kind == ACCOUNT:
            self._read_account(data)
            return
        for index, item in enumerate(data):
            if kind in (TWEETS, DELETED):
                yield self._tweet(member, index, item, kind)
            else:
                yield from self._conversation(member, index, item, kind)

    # ---- accounts ----------------------------------------------------------------------

    def _read_account(self, data: list[Any]) -> None:
        for item in data:
            acc = as_dict(as_dict(item).get("account"))
            key = opt_str(acc.get("accountId"))
            if key:
                self._set_owner(
                    key, opt_str(acc.get("username")), opt_str(acc.get("accountDisplayName"))
                )
                return

    def _set_owner(self, key: str, username: str | None, display: str | None) -> None:
        handle = f"@{username.lstrip('@')}" if username else None
        self.owner = ParsedAccount(PLATFORM, key, handle=handle, display_name=display)
        if handle:
            self.handles[key] = handle
        if display:
            self.names[key] = display

    def _account(self, user_id: str | None) -> ParsedAccount | None:
        if not user_id:
            return None
        if self.owner is not None and self.owner.key == user_id:
            return self.owner
        return ParsedAccount(
            PLATFORM, user_id, handle=self.handles.get(user_id),
            display_name=self.names.get(user_id),
        )

    def _learn(self, user_id: str | None, screen_name: str | None, name: str | None) -> None:
        if user_id and screen_name:
            self.handles.setdefault(user_id, f"@{screen_name.lstrip('@')}")
        if user_id and name:
            self.names.setdefault(user_id, name)

    def _who(self, user_id: str) -> str:
        return self.handles.get(user_id) or user_id

    # ---- tweets ------------------------------------------------------------------------

    def _tweet(self, member: str, index: int, item: Any, kind: str) -> ParsedMessage | RecordError:
        if isinstance(item, dict) and isinstance(item.get("tweet"), dict):
            tweet: dict[str, Any] = item["tweet"]
            path = f"$[{index}].tweet"
        elif isinstance(item, dict) and ("full_text" in item or "id_str" in item):
            tweet = item  # 2019 archives: tweets not wrapped in {"tweet": ...}
            path = f"$[{index}]"
        else:
            return RecordError(member, f"$[{index}]", "not a tweet object")
        raw_text = tweet.get("full_text", tweet.get("text"))
        if not isinstance(raw_text, str):
            return RecordError(member, path, "tweet has no full_text")
        raw_created = tweet.get("created_at")
        if not raw_created:
            return RecordError(member, path, "tweet has no created_at")
        try:
            timestamp = parse_twitter_date(str(raw_created))
        except ValueError:
            return RecordError(member, path, f"unreadable created_at {raw_created!r}")
        tweet_id = opt_str(tweet.get("id_str")) or opt_str(tweet.get("id"))
        entities = as_dict(tweet.get("entities"))
        extra: dict[str, Any] = {}

        mentions = []
        for mention in as_list(entities.get("user_mentions")):
            mention = as_dict(mention)
            uid = opt_str(mention.get("id_str")) or opt_str(mention.get("id"))
            sn = opt_str(mention.get("screen_name"))
            name = opt_str(mention.get("name"))
            self._learn(uid, sn, name)
            if uid or sn:
                mentions.append(
                    ParsedAccount(
                        PLATFORM, uid or f"@{sn}", handle=f"@{sn}" if sn else None,
                        display_name=name,
                    )
                )
        reply_user = opt_str(tweet.get("in_reply_to_user_id_str")) or opt_str(
            tweet.get("in_reply_to_user_id")
        )
        reply_name = opt_str(tweet.get("in_reply_to_screen_name"))
        self._learn(reply_user, reply_name, None)

        links = []
        for url in as_list(entities.get("urls")):
            url = as_dict(url)
            if url.get("url"):
                links.append(
                    {k: url[k] for k in ("url", "expanded_url", "display_url") if url.get(k)}
                )
        media = self._tweet_media(tweet)
        for m in media:
            if m.get("url"):
                links.append(
                    {k: m[k] for k in ("url", "expanded_url", "display_url") if m.get(k)}
                )
        text = _expand(unescape_twitter(raw_text), links, "expanded_url")
        if text != raw_text:
            extra["full_text"] = raw_text
        if links:
            extra["urls"] = links

        forwarded_from = None
        rt = _RT_RE.match(raw_text)
        if rt:
            forwarded_from = f"@{rt.group(1)}"
            extra["retweet"] = True
        elif tweet.get("retweeted") is True or tweet.get("retweeted") == "true":
            extra["retweet"] = True
        reply_to = opt_str(tweet.get("in_reply_to_status_id_str")) or opt_str(
            tweet.get("in_reply_to_status_id")
        )
        if reply_name:
            extra["in_reply_to_screen_name"] = reply_name
        if reply_user:
            extra["in_reply_to_user_id"] = reply_user
        for key in ("lang", "source", "favorite_count", "retweet_count"):
            if tweet.get(key) not in (None, ""):
                extra[key] = tweet[key]
        if kind == DELETED:
            extra["deleted"] = True
            raw_deleted = tweet.get("deleted_at")
            if raw_deleted:
                try:
                    extra["deleted_at"] = parse_twitter_date(str(raw_deleted)).isoformat()
                except ValueError:
                    extra["deleted_at"] = str(raw_deleted)
        attachments = tuple(
            self._attachment(member, kind, tweet_id, m.get("file_names", []), m.get("media_url"))
            for m in media
        )
        if media:
            extra["media"] = [
                {k: v for k, v in m.items() if k != "file_names"} for m in media
            ]
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=self.owner,
            kind=MessageKind.USER,
            source_id=tweet_id,
            conversation_key="timeline",
            recipients=tuple(mentions),
            reply_to=reply_to,
            forwarded_from=forwarded_from,
            attachments=attachments,
            extra=extra,
        )

    @staticmethod
    def _tweet_media(tweet: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Media entities: `extended_entities` lists all of them, `entities` only the first."""
        extended = as_list(as_dict(tweet.get("extended_entities")).get("media"))
        plain = as_list(as_dict(tweet.get("entities")).get("media"))
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for m in extended + plain:
            m = as_dict(m)
            media_url = opt_str(m.get("media_url_https")) or opt_str(m.get("media_url"))
            ident = opt_str(m.get("id_str")) or media_url or ""
            if not media_url or ident in seen:
                continue
            seen.add(ident)
            names = [PurePosixPath(media_url).name]
            for variant in as_list(as_dict(m.get("video_info")).get("variants")):
                vurl = opt_str(as_dict(variant).get("url"))
                if vurl:
                    names.insert(0, PurePosixPath(vurl.split("?", 1)[0]).name)
            entry: dict[str, Any] = {
                "media_url": media_url,
                "type": opt_str(m.get("type")),
                "url": opt_str(m.get("url")),
                "expanded_url": opt_str(m.get("expanded_url")),
                "file_names": names,
            }
            out.append({k: v for k, v in entry.items() if v is not None})
        return out

    def _attachment(
        self, member: str, kind: str, msg_id: str | None, names: list[str], url: str | None
    ) -> Attachment:
        """The media file beside the data file (`<dir>/tweets_media/<id>-<name>`) when the
        archive holds it; otherwise an attachment marked as omitted."""
        parent = PurePosixPath(member).parent
        if msg_id:
            for folder in _MEDIA_DIRS[kind]:
                for name in names:
                    cand = (parent / folder / f"{msg_id}-{name}").as_posix()
                    if cand in self.member_set:
                        return Attachment(
                            name=PurePosixPath(cand).name,
                            mime_type=mimetypes.guess_type(cand)[0],
                            size=self.source.size(cand),
                            member=cand,
                        )
        shown: str | None = names[0] if names else (PurePosixPath(url).name if url else None)
        return Attachment(
            name=shown, mime_type=mimetypes.guess_type(shown or "")[0], omitted=True
        )

    # ---- direct messages ---------------------------------------------------------------

    def _conversation(
        self, member: str, index: int, item: Any, kind: str
    ) -> Iterator[ParsedMessage | RecordError]:
        conv = as_dict(item).get("dmConversation")
        if not isinstance(conv, dict):
            yield RecordError(member, f"$[{index}]", "no dmConversation object")
            return
        conv_id = opt_str(conv.get("conversationId"))
        messages = conv.get("messages")
        if not isinstance(messages, list):
            yield RecordError(member, f"$[{index}].dmConversation", "no messages list")
            return
        # The newest name of a group conversation (events are listed newest first).
        title = None
        for event in messages:
            upd = as_dict(as_dict(event).get("conversationNameUpdate"))
            if upd.get("name"):
                title = str(upd["name"])
                break
        for j, event in enumerate(messages):
            base = f"$[{index}].dmConversation.messages[{j}]"
            if not isinstance(event, dict) or len(event) != 1:
                yield RecordError(member, base, "not a single DM event object")
                continue
            (etype, body), = event.items()
            path = f"{base}.{etype}"
            if not isinstance(body, dict):
                yield RecordError(member, path, "event is not an object")
                continue
            if etype == "messageCreate":
                yield self._dm(member, path, body, kind, conv_id, title)
            else:
                yield self._dm_event(member, path, etype, body, conv_id, title)

    def _dm(
        self, member: str, path: str, body: dict[str, Any], kind: str,
        conv_id: str | None, title: str | None,
    ) -> ParsedMessage | RecordError:
        raw_created = body.get("createdAt")
        if not raw_created:
            return RecordError(member, path, "message has no createdAt")
        try:
            timestamp = parse_twitter_date(str(raw_created))
        except ValueError:
            return RecordError(member, path, f"unreadable createdAt {raw_created!r}")
        raw_text = body.get("text")
        if raw_text is None:
            raw_text = ""
        if not isinstance(raw_text, str):
            return RecordError(member, path, "text is not a string")
        msg_id = opt_str(body.get("id"))
        links = []
        for url in as_list(body.get("urls")):
            url = as_dict(url)
            if url.get("url"):
                links.append({
                    "url": url["url"],
                    **({"expanded_url": url.get("expanded") or url.get("expanded_url")}
                       if url.get("expanded") or url.get("expanded_url") else {}),
                    **({"display_url": url.get("display") or url.get("display_url")}
                       if url.get("display") or url.get("display_url") else {}),
                })
        text = _expand(unescape_twitter(raw_text), links, "expanded_url")
        extra: dict[str, Any] = {}
        if text != raw_text:
            extra["full_text"] = raw_text
        if links:
            extra["urls"] = links
        media_urls = [str(u) for u in as_list(body.get("mediaUrls")) if u]
        if media_urls:
            extra["media_urls"] = media_urls
        attachments = tuple(
            self._attachment(member, kind, msg_id, [PurePosixPath(u.split("?", 1)[0]).name], u)
            for u in media_urls
        )
        reactions = as_list(body.get("reactions"))
        if reactions:
            extra["reactions"] = reactions
        if as_list(body.get("editHistory")):
            extra["edit_history"] = body["editHistory"]
        if kind == GROUP_DMS:
            extra["group"] = True
        recipient = self._account(opt_str(body.get("recipientId")))
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=self._account(opt_str(body.get("senderId"))),
            kind=MessageKind.USER,
            source_id=msg_id,
            conversation_key=conv_id,
            conversation_title=title,
            recipients=(recipient,) if recipient else (),
            attachments=attachments,
            extra=extra,
        )

    def _dm_event(
        self, member: str, path: str, etype: str, body: dict[str, Any],
        conv_id: str | None, title: str | None,
    ) -> ParsedMessage | RecordError:
        raw_created = body.get("createdAt")
        timestamp = None
        if raw_created:
            try:
                timestamp = parse_twitter_date(str(raw_created))
            except ValueError:
                return RecordError(member, path, f"unreadable createdAt {raw_created!r}")
        initiator = opt_str(body.get("initiatingUserId"))
        who = self._who(initiator) if initiator else "someone"
        users = ", ".join(self._who(str(u)) for u in as_list(body.get("userIds")))
        if etype == "joinConversation":
            snapshot = ", ".join(
                self._who(str(u)) for u in as_list(body.get("participantsSnapshot"))
            )
            text = f"{who} added the archive owner to the conversation"
            if snapshot:
                text += f" (participants: {snapshot})"
        elif etype == "participantsJoin":
            text = f"{who} added {users or 'participants'}"
        elif etype == "participantsLeave":
            text = f"{users or 'participants'} left the conversation"
        elif etype == "conversationNameUpdate":
            text = f"{who} renamed the conversation to \"{body.get('name', '')}\""
        else:
            text = f"{etype} event"
        return ParsedMessage(
            platform=PLATFORM,
            timestamp=timestamp,
            text=text,
            locator=Locator(member=member, json_path=path),
            author=self._account(initiator),
            kind=MessageKind.SYSTEM,
            conversation_key=conv_id,
            conversation_title=title,
            extra={"event": etype, **{k: v for k, v in body.items() if k != "createdAt"}},
        )


def _expand(text: str, links: list[dict[str, Any]], key: str) -> str:
    """Replace each short link by its expanded form, all at once (no double replacement)."""
    table = {str(link["url"]): str(link[key]) for link in links if link.get(key)}
    if not table:
        return text
    pattern = re.compile("|".join(re.escape(u) for u in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)
