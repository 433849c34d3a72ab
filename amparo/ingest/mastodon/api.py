"""Reading JSON saved from the Mastodon REST API: lists of statuses or notifications, a
single status, or a thread's context."""

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
    ParsedMessage,
    RecordError,
)
from amparo.ingest.errors import ImportRejected
from amparo.ingest.jsonvalues import as_list, opt_str
from amparo.ingest.mastodon.archive import ArchiveReader
from amparo.ingest.mastodon.posts import PLATFORM, _with_cw, api_account, html_to_text
from amparo.ingest.timeparse import parse_iso

_USER_NOTIFICATIONS = {"mention", "status", "update", "quote"}



class Reader(ArchiveReader):
    """One parse: an archive when the source has an outbox, else API JSON files."""

    def parse(self) -> Iterator[ParsedMessage | RecordError]:
        outboxes = [m for m in self.members if PurePosixPath(m).name == "outbox.json"]
        if outboxes:
            for outbox in outboxes:
                yield from self._archive(outbox)
            return
        for member in self.members:
            if member.lower().endswith(".json"):
                yield from self._api_file(member)


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

