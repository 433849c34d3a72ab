"""Tweets and deleted tweets of an X/Twitter archive."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from amparo.domain import (
    Locator,
    MessageKind,
    ParsedAccount,
    ParsedMessage,
    RecordError,
)
from amparo.ingest.jsonvalues import as_dict, as_list, opt_str
from amparo.ingest.twitter.files import (
    _RT_RE,
    DELETED,
    PLATFORM,
    _expand,
    parse_twitter_date,
    unescape_twitter,
)
from amparo.ingest.twitter.state import ArchiveState


class TweetReader(ArchiveState):
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
