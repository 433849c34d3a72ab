"""The X/Twitter archive's files and formats: data kinds and file names, the
`window.YTD` wrapper, dates, tweet text escaping and short-link expansion."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from amparo.domain import (
    Platform,
)
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


def _expand(text: str, links: list[dict[str, Any]], key: str) -> str:
    """Replace each short link by its expanded form, all at once (no double replacement)."""
    table = {str(link["url"]): str(link[key]) for link in links if link.get(key)}
    if not table:
        return text
    pattern = re.compile("|".join(re.escape(u) for u in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)
