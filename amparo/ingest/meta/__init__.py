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

from amparo.ingest.meta.importer import FacebookImporter, InstagramImporter
from amparo.ingest.meta.layout import COMMENTS_RE, MESSAGE_RE, POSTS_RE, classify
from amparo.ingest.meta.mojibake import repair_mojibake, repair_tree

__all__ = [
    "COMMENTS_RE", "MESSAGE_RE", "POSTS_RE", "FacebookImporter", "InstagramImporter", "classify",
    "repair_mojibake", "repair_tree",
]
