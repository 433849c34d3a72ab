"""Mastodon accounts and post bodies: `@user@instance` handles, API account objects, post
HTML as text (mentions, hashtags and links shown readably) and content warnings."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from amparo.domain import (
    ParsedAccount,
    Platform,
)
from amparo.ingest import htmltext
from amparo.ingest.htmltext import HtmlStyle
from amparo.ingest.jsonvalues import opt_str

PLATFORM = Platform.MASTODON
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

# ---- HTML to text -----------------------------------------------------------------------

_BLOCK = ("p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")


def _render_link(href: str, cls: str, text: str) -> str:
    text = text.strip()
    classes = set(cls.split())
    if "hashtag" in classes or text.startswith("#"):
        return text or href
    if "mention" in classes or text.startswith("@"):
        return handle_from(text, href) or text or href
    if not href:
        return text
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", href, flags=re.IGNORECASE).rstrip("/")
    shown = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE).rstrip("/…").rstrip()
    if not text or shown == bare or (text.endswith("…") and bare.startswith(shown)):
        return href
    return f"{text} ({href})"


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Paragraphs become blank lines, `<br>` a newline, list items `- ` lines, images their alt
# text, and links show where they lead (mentions as `@user@instance`, hashtags as `#tag`).
POST_HTML = HtmlStyle(
    start={"br": "\n", **{tag: "\n\n" for tag in _BLOCK}, "li": "\n- "},
    end={tag: "\n\n" for tag in _BLOCK},
    empty={"br": "\n", **{tag: "\n\n\n\n" for tag in _BLOCK}, "li": "\n- "},
    skip=frozenset({"script", "style", "template"}),
    link=_render_link,
    tidy=_tidy,
    empty_links=True,
    render_unclosed=True,
    collapse_spaces=True,
    img_alt=True,
)


def html_to_text(html: str) -> str:
    """Plain text of a post's HTML (see `POST_HTML`)."""
    return htmltext.html_to_text(html, POST_HTML)


# ---- accounts -----------------------------------------------------------------------------

_PROFILE_RE = re.compile(r"^/(?:@([^/@]+)|users/([^/]+))/?")


def handle_from(name: str | None, url: str | None) -> str | None:
    """`@user@instance` from a mention's text (`@user` or `@user@instance`) and/or a profile or
    actor URL (`https://instance/@user`, `https://instance/users/user`)."""
    host = urlsplit(url).hostname if url else None
    user = None
    if name:
        bare = name.strip().lstrip("@")
        if "@" in bare:
            return f"@{bare}"
        user = bare or None
    if url and not user:
        m = _PROFILE_RE.match(urlsplit(url).path)
        if m:
            user = m.group(1) or m.group(2)
    if user and host:
        return f"@{user}@{host}"
    return f"@{user}" if user else None


def api_account(acc: Any) -> ParsedAccount | None:
    if not isinstance(acc, dict):
        return None
    key = opt_str(acc.get("uri")) or opt_str(acc.get("id")) or opt_str(acc.get("url"))
    acct = opt_str(acc.get("acct")) or opt_str(acc.get("username"))
    handle = handle_from(acct, opt_str(acc.get("url")) or opt_str(acc.get("uri")))
    if not key:
        if not handle:
            return None
        key = handle
    return ParsedAccount(
        PLATFORM, key, handle=handle, display_name=opt_str(acc.get("display_name")) or None
    )




def _with_cw(summary: str | None, text: str) -> str:
    if summary:
        return f"CW: {summary}\n\n{text}" if text else f"CW: {summary}"
    return text


