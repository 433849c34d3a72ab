"""One parse of an X/Twitter archive: its data files in order, and direct messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from amparo.domain import (
    Locator,
    MessageKind,
    ParsedMessage,
    RecordError,
)
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import as_dict, as_list, opt_str
from amparo.ingest.textio import load_json
from amparo.ingest.twitter.files import (
    _KIND_ORDER,
    _YTD_KINDS,
    ACCOUNT,
    DELETED,
    GROUP_DMS,
    PLATFORM,
    TWEETS,
    _expand,
    file_kind,
    parse_twitter_date,
    strip_wrapper,
    unescape_twitter,
)
from amparo.ingest.twitter.tweets import TweetReader


class Reader(TweetReader):
    """Reads the data files in order: account, tweets, deleted tweets, direct messages."""

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
