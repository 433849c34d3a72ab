"""Comments and posts of a Meta export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from amparo.domain import (
    Locator,
    ParsedMessage,
    RecordError,
)
from amparo.ingest.meta.threads import ThreadReader
from amparo.ingest.sources import Source
from amparo.ingest.timeparse import from_epoch


class ActivityReader(ThreadReader):
    """Reads comments and posts, beside the threads."""

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
