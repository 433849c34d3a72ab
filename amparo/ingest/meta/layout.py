"""Where things are in a Meta export: which members hold messages, comments or posts, and
whether an export is Facebook's or Instagram's."""

from __future__ import annotations

import re

from amparo.domain import (
    Platform,
)
from amparo.ingest.sources import Source

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
