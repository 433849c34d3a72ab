"""Loading posts for campaign detection into the normalised tables of `model.py`, written as
Parquet so that every engine streams them.

Files: CSV, Parquet or JSON lines. CooRTweet's column names work without a mapping:
`account_id`; `object_id` or `url_id` / `hashtag_id` / `domain_id` / `phash_id`; `content_id`
or `post_id`; `timestamp` or `timestamp_share` (epoch seconds, or ISO 8601 text); `text` when
present (URLs and hashtags are then also taken from the text). Other names are mapped with
`{"account_id": "user", ...}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from amparo.campaigns.duck import quiet_connect
from amparo.campaigns.engines import Table
from amparo.errors import AmparoError

# Column -> object type, in the order CooRTweet uses them.
OBJECT_COLUMNS = {
    "object_id": "object",
    "url_id": "url",
    "url": "url",
    "hashtag_id": "hashtag",
    "domain_id": "domain",
    "phash_id": "image",
}
FIELDS = ("account_id", "post_id", "timestamp", "text", *OBJECT_COLUMNS)
_ALIASES = {"post_id": ("post_id", "content_id", "id"),
            "timestamp": ("timestamp", "timestamp_share", "created_at", "time")}
URL_RE = r"https?://[^\s<>\"')\]]+"
HASHTAG_RE = r"#[0-9A-Za-zÀ-ÿ_]{2,}"
MENTION_RE = r"@[0-9A-Za-z_]{2,}"


class CampaignInputError(AmparoError, ValueError):
    """The input cannot be read as posts; the message names the file and the column."""


@dataclass(frozen=True)
class Inputs:
    shares: Table
    posts: Table
    rows: int


def _reader(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return con.read_parquet(str(path))
        if name.endswith((".jsonl", ".ndjson", ".json")):
            return con.read_json(str(path), format="newline_delimited")
        return con.read_csv(str(path), all_varchar=True)
    except duckdb.Error as exc:
        raise CampaignInputError(f"{path}: unreadable ({_duck_reason(exc)})") from exc


def _duck_reason(exc: Exception) -> str:
    """DuckDB's message without its quoted line (evidence text), option dump and advice."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not line.startswith(
        ("Original Line", "Possible Solution", "file =", ")")) and " = " not in line]
    return "; ".join(kept[:2])


def _resolve(columns: list[str], mapping: Mapping[str, str], path: Path) -> dict[str, str]:
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise CampaignInputError(f"unknown field(s) in the mapping: {sorted(unknown)}; "
                                 f"fields are {', '.join(FIELDS)}")
    chosen: dict[str, str] = {}
    for fld in FIELDS:
        if fld in mapping:
            if mapping[fld] not in columns:
                raise CampaignInputError(f"{path.name}: no column {mapping[fld]!r} "
                                         f"(mapped to {fld}); columns are {columns}")
            chosen[fld] = mapping[fld]
            continue
        for candidate in _ALIASES.get(fld, (fld,)):
            if candidate in columns:
                chosen[fld] = candidate
                break
    for required in ("account_id", "timestamp"):
        if required not in chosen:
            raise CampaignInputError(
                f"{path.name}: no {required} column (columns are {columns}); "
                f"map one with --map {required}=COLUMN")
    if not any(c in chosen for c in OBJECT_COLUMNS) and "text" not in chosen:
        raise CampaignInputError(f"{path.name}: no shared-object columns "
                                 f"({', '.join(OBJECT_COLUMNS)}) and no text column")
    return chosen


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_file(path: Path, work: Path, mapping: Mapping[str, str] | None = None) -> Inputs:
    """Normalise a file into `work/shares.parquet` and `work/posts.parquet` (streamed by
    DuckDB: memory stays bounded whatever the file size)."""
    if path.is_dir():
        raise CampaignInputError(f"{path} is a folder; give a CSV, Parquet or JSON lines file")
    if not path.is_file():
        raise CampaignInputError(f"{path}: no such file")
    work.mkdir(parents=True, exist_ok=True)
    con = quiet_connect(config={"memory_limit": "1GB", "temp_directory": str(work / "spill")})
    try:
        rel = _reader(con, path)
        cols = _resolve(list(rel.columns), mapping or {}, path)
        con.register("src", rel)
        ts = _q(cols["timestamp"])
        ts_expr = (f"coalesce(try_cast({ts} as double), "
                   f"epoch(try_cast({ts} as timestamptz)))")
        post = (f"cast({_q(cols['post_id'])} as varchar)" if "post_id" in cols
                else "cast(row_number() over () as varchar)")
        text = f"cast({_q(cols['text'])} as varchar)" if "text" in cols else "null"
        con.execute(f"""
            create temp table base as
            select {post} as post_id, cast({_q(cols['account_id'])} as varchar) as account_id,
                   {ts_expr} as timestamp, {text} as text,
                   {", ".join(f"cast({_q(cols[c])} as varchar) as {c}"
                              for c in OBJECT_COLUMNS if c in cols) or "null as _none"}
            from src""")
        bad = con.execute("select count(*) from base where timestamp is null "
                          "or account_id is null").fetchone()
        if bad and bad[0]:
            raise CampaignInputError(f"{path.name}: {bad[0]} rows without a readable "
                                     f"{cols['timestamp']} or {cols['account_id']}")
        selects = [f"select post_id, account_id, timestamp, '{kind}' as object_type, "
                   f"{c} as object_id from base where {c} is not null and {c} <> ''"
                   for c, kind in OBJECT_COLUMNS.items() if c in cols]
        if "text" in cols:
            # Only for rows whose columns do not already give that kind: a post with url_id
            # and the same URL in its text must count as one shared link, not two.
            for kind, pattern in (("url", URL_RE), ("hashtag", HASHTAG_RE)):
                given = [c for c, k in OBJECT_COLUMNS.items() if k == kind and c in cols]
                unset = " and ".join(f"coalesce({c}, '') = ''" for c in given) or "true"
                pattern = pattern.replace("'", "''")  # a SQL string literal
                selects.append(
                    f"select post_id, account_id, timestamp, '{kind}' as object_type, "
                    f"lower(unnest(regexp_extract_all(text, '{pattern}'))) as object_id "
                    f"from base where text is not null and {unset}")
        shares, posts = work / "shares.parquet", work / "posts.parquet"
        con.execute(f"copy ({' union all '.join(selects)}) to '{shares}' (format parquet)")
        con.execute(f"copy (select post_id, any_value(account_id) as account_id, "
                    f"min(timestamp) as timestamp, any_value(text) as text from base "
                    f"group by post_id) to '{posts}' (format parquet)")
        rows = con.execute("select count(*) from base").fetchone()
    finally:
        con.close()
    return Inputs(Table(path=shares), Table(path=posts), int(rows[0]) if rows else 0)


_URL = re.compile(URL_RE)
_HASHTAG = re.compile(HASHTAG_RE)
_MENTION = re.compile(MENTION_RE)
SHARES_SCHEMA = pa.schema([("post_id", pa.string()), ("account_id", pa.string()),
                           ("timestamp", pa.float64()), ("object_type", pa.string()),
                           ("object_id", pa.string())])
POSTS_SCHEMA = pa.schema([("post_id", pa.string()), ("account_id", pa.string()),
                          ("timestamp", pa.float64()), ("text", pa.string())])


@dataclass(frozen=True)
class Message:
    post_id: str
    account_id: str
    timestamp: float
    text: str
    reply_to: str | None = None
    forwarded_from: str | None = None


def objects_of(m: Message) -> Iterator[tuple[str, str]]:
    """What a stored message shares: links, hashtags, mentions, the post it answers or
    forwards."""
    for url in _URL.findall(m.text):
        yield "url", url.lower().rstrip(".,;:!?")
    for tag in _HASHTAG.findall(m.text):
        yield "hashtag", tag.lower()
    for mention in _MENTION.findall(m.text):
        yield "mention", mention.lower()
    if m.reply_to:
        yield "reply", m.reply_to
    if m.forwarded_from:
        yield "retweet", m.forwarded_from


def write_messages(messages: Iterator[Message], work: Path, chunk: int = 50_000) -> Inputs:
    """Normalise messages (e.g. from the workspace) into the two Parquet tables, in chunks."""
    work.mkdir(parents=True, exist_ok=True)
    shares_path, posts_path = work / "shares.parquet", work / "posts.parquet"
    rows = 0
    with pq.ParquetWriter(shares_path, SHARES_SCHEMA) as sw, \
            pq.ParquetWriter(posts_path, POSTS_SCHEMA) as pw:
        shares: list[tuple[str, str, float, str, str]] = []
        posts: list[tuple[str, str, float, str]] = []

        def flush() -> None:
            if posts:
                pw.write_table(pa.Table.from_pylist(
                    [dict(zip(POSTS_SCHEMA.names, p, strict=True)) for p in posts],
                    POSTS_SCHEMA))
            if shares:
                sw.write_table(pa.Table.from_pylist(
                    [dict(zip(SHARES_SCHEMA.names, s, strict=True)) for s in shares],
                    SHARES_SCHEMA))
            posts.clear()
            shares.clear()

        for m in messages:
            rows += 1
            posts.append((m.post_id, m.account_id, m.timestamp, m.text))
            for kind, obj in objects_of(m):
                shares.append((m.post_id, m.account_id, m.timestamp, kind, obj))
            if len(posts) >= chunk:
                flush()
        flush()
    return Inputs(Table(path=shares_path), Table(path=posts_path), rows)
