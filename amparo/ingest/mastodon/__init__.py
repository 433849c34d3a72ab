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

from amparo.ingest.mastodon.importer import NOTIFICATION_TYPES, MastodonImporter
from amparo.ingest.mastodon.posts import PLATFORM, POST_HTML, api_account, handle_from, html_to_text

__all__ = [
    "NOTIFICATION_TYPES", "PLATFORM", "POST_HTML", "MastodonImporter", "api_account",
    "handle_from", "html_to_text",
]
