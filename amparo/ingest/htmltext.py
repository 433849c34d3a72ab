"""Readable text from HTML, for importers whose sources carry HTML bodies (email, Mastodon).

One converter serves them all; an `HtmlStyle` says what each tag puts out, how links are
shown and how whitespace is tidied. `MAIL` reads HTML mail (block elements become line breaks,
links kept as ``text <url>``); the Mastodon importer defines its own style for post HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

# (href, class attribute, link text) -> what the link shows in the text.
LinkRenderer = Callable[[str, str, str], str]


@dataclass(frozen=True)
class HtmlStyle:
    """How one kind of HTML becomes text.

    `start`, `end` and `empty` give the text a start tag, an end tag and a self-closing tag
    (``<br/>``) put out; tags in `skip` hide their content. `link` renders each ``<a>`` from
    its text; `empty_links` renders self-closing ones too, and `render_unclosed` renders links
    still open at the end (else their text stays as it is). `collapse_spaces` turns runs of
    whitespace in text into one space, except inside ``<pre>``; `img_alt` shows images' alt
    text. `tidy` finishes the joined text.
    """

    start: Mapping[str, str]
    end: Mapping[str, str]
    empty: Mapping[str, str]
    skip: frozenset[str]
    link: LinkRenderer
    tidy: Callable[[str], str]
    empty_links: bool = False
    render_unclosed: bool = False
    collapse_spaces: bool = False
    img_alt: bool = False


class _TextExtractor(HTMLParser):
    def __init__(self, style: HtmlStyle) -> None:
        super().__init__(convert_charrefs=True)
        self.style = style
        self.out: list[str] = []
        self.links: list[tuple[str, str, list[str]]] = []  # (href, class, text pieces)
        self.skip = 0
        self.pre = 0

    def _emit(self, text: str) -> None:
        if self.links:
            self.links[-1][2].append(text)
        else:
            self.out.append(text)

    def _link(self, href: str, cls: str, pieces: list[str]) -> None:
        self._emit(self.style.link(href, cls, "".join(pieces)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = self.style
        if tag in style.skip:
            self.skip += 1
            return
        if tag in style.start:
            self._emit(style.start[tag])
            if tag == "pre":
                self.pre += 1
        elif tag == "a":
            attr = {k: v or "" for k, v in attrs}
            self.links.append((attr.get("href", ""), attr.get("class", ""), []))
        elif tag == "img" and style.img_alt:
            self._alt(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = self.style
        if tag in style.empty:
            self._emit(style.empty[tag])
        elif tag == "a" and style.empty_links:
            attr = {k: v or "" for k, v in attrs}
            self._link(attr.get("href", ""), attr.get("class", ""), [])
        elif tag == "img" and style.img_alt:
            self._alt(attrs)

    def _alt(self, attrs: list[tuple[str, str | None]]) -> None:
        alt = {k: v or "" for k, v in attrs}.get("alt")
        if alt:
            self._emit(alt)

    def handle_endtag(self, tag: str) -> None:
        style = self.style
        if tag in style.skip:
            self.skip = max(0, self.skip - 1)
            return
        if tag in style.end:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._emit(style.end[tag])
        elif tag == "a" and self.links:
            self._link(*self.links.pop())

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.style.collapse_spaces and not self.pre:
            data = re.sub(r"\s+", " ", data)
        self._emit(data)

    def text(self) -> str:
        while self.links:  # unclosed <a>
            href, cls, pieces = self.links.pop()
            if self.style.render_unclosed:
                self._link(href, cls, pieces)
            else:
                self._emit("".join(pieces))
        return self.style.tidy("".join(self.out))


def html_to_text(markup: str, style: HtmlStyle | None = None) -> str:
    """Readable text from HTML, read in `style` (`MAIL` unless given)."""
    parser = _TextExtractor(style or MAIL)
    parser.feed(markup)
    parser.close()
    return parser.text()


# --------------------------------------------------------------------------- mail


def _mail_link(href: str, cls: str, text: str) -> str:
    """The link's text, then its target in angle brackets when it shows something else."""
    if href and href.startswith(("http:", "https:", "mailto:")) and href != text.strip():
        return f"{text} <{href}>"
    return text


def _mail_tidy(text: str) -> str:
    """Blanks collapsed within each line, runs of empty lines kept to one."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


_MAIL_BLOCK = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "ul", "ol", "hr", "section", "article", "header", "footer", "dd", "dt",
)

MAIL = HtmlStyle(
    start={**{tag: "\n" for tag in _MAIL_BLOCK}, "li": "\n- "},
    end={tag: "\n" for tag in _MAIL_BLOCK if tag != "li"},
    empty={tag: "\n" for tag in _MAIL_BLOCK},
    skip=frozenset({"script", "style", "head", "title"}),
    link=_mail_link,
    tidy=_mail_tidy,
)
