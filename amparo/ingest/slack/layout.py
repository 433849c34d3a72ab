"""Where things are in a Slack export: export roots with their metadata files, day files,
and recognising both by their first bytes."""

from __future__ import annotations

import posixpath
import re

from amparo.ingest.sources import Source

META_FILES = ("channels.json", "groups.json", "dms.json", "mpims.json", "users.json")
_CONVERSATION_FILES = {
    "channels.json": "channel",
    "groups.json": "private_channel",
    "mpims.json": "group_dm",
    "dms.json": "dm",
}

_RE_DAY = re.compile(r"^(?:(?P<prefix>.+)/)?(?P<conv>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_RE_TS = re.compile(r'"ts"\s*:\s*"\d{9,11}\.\d{6}"')


def _split_root(member: str) -> tuple[str, str]:
    """(folder, file name) of a member."""
    return posixpath.dirname(member), posixpath.basename(member)


def _roots(source: Source) -> dict[str, set[str]]:
    """Export roots (the folder holding channels.json & co) to the metadata files there."""
    roots: dict[str, set[str]] = {}
    for m in source.members():
        folder, fname = _split_root(m)
        if fname in META_FILES and "/" not in folder:
            roots.setdefault(folder, set()).add(fname)
    return roots


def _day_files(source: Source) -> list[tuple[str, str, str]]:
    """(member, root, conversation folder) of every day file."""
    out = []
    for m in source.members():
        match = _RE_DAY.match(m)
        if match and not (match["conv"].startswith("__") or "__uploads" in m):
            out.append((m, match["prefix"] or "", match["conv"]))
    return out


def _looks_like_day(head: str) -> bool:
    text = head.lstrip()
    if not text.startswith("["):
        return False
    body = text[1:].lstrip()
    if body.startswith("]"):
        return True
    return bool(_RE_TS.search(text)) and '"type"' in text


def _looks_like_meta(head: str, fname: str) -> bool:
    text = head.lstrip()
    if not text.startswith("["):
        return False
    body = text[1:].lstrip()
    if body.startswith("]"):
        return True
    if fname == "users.json":
        return bool(re.search(r'"id"\s*:\s*"[UW][A-Z0-9]+"', text)) and (
            '"real_name"' in text or '"profile"' in text or '"team_id"' in text
        )
    return bool(re.search(r'"id"\s*:\s*"[CGD][A-Z0-9]+"', text)) and '"created"' in text
