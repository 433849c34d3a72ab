"""Account traits shared by the accounts of a campaign, where the input has them: accounts
created within CREATION_SPAN_S of each other, handles ending in a run of DIGIT_RUN or more
digits (the default handles of freshly made accounts: "maria84629173"), display names reused
by several accounts.

Traits are weak evidence (many real people are called Maria and many accounts were created on
the same day), so `trait_edges` only pairs accounts inside small *blocks*: the same
normalised display name, or the same creation window (two staggered grids of CREATION_SPAN_S,
then checked exactly), each block at most MAX_BLOCK accounts — a bigger block is a common name
or a busy hour, not a sign. A pair's `objects` is the number of traits it shares (1–3, a
numbered handle on both sides counting only next to another trait) and `weight` = objects / 3.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from amparo.campaigns.duck import quiet_connect
from amparo.campaigns.io import CampaignInputError, _q, _reader
from amparo.campaigns.model import EDGE_COLUMNS, Settings

CREATION_SPAN_S = 3600.0
DIGIT_RUN = 4
MAX_BLOCK = 50
ACCOUNT_COLUMNS = ("account_id", "account_created", "handle", "display_name")
TRAIT_COLUMNS = ("account_id", "account_created", "created_nearby", "numbered_handle",
                 "name_accounts", "traits")
_ALIASES: dict[str, tuple[str, ...]] = {
    "account_id": ("account_id",),
    "account_created": ("account_created", "account_created_at", "user_created_at",
                        "created_at_account"),
    "handle": ("handle", "screen_name", "username", "user_screen_name"),
    "display_name": ("display_name", "name", "user_name"),
}
_DIGITS = re.compile(rf"\d{{{DIGIT_RUN},}}$")
_NON_WORD = re.compile(r"[^\w]+|_")


def _empty_accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": pd.Series(dtype=object),
                         "account_created": pd.Series(dtype="float64"),
                         "handle": pd.Series(dtype=object),
                         "display_name": pd.Series(dtype=object)})


def load_account_table(path: Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per account with ACCOUNT_COLUMNS, read with DuckDB from the original file
    (`account_created` as epoch seconds from a number or ISO 8601 text). Traits the file lacks
    are null; a file with none of them gives an empty table. `mapping` maps a field to a
    column name, as for `io.load_file`."""
    mapping = dict(mapping or {})
    con = quiet_connect(config={"memory_limit": "1GB"})
    try:
        rel = _reader(con, path)
        columns = list(rel.columns)
        chosen: dict[str, str] = {}
        for fld, aliases in _ALIASES.items():
            name = mapping.get(fld)
            if name is not None and name not in columns:
                raise CampaignInputError(f"{path.name}: no column {name!r} (mapped to {fld})")
            name = name or next((a for a in aliases if a in columns), None)
            if name is not None:
                chosen[fld] = name
        if "account_id" not in chosen or len(chosen) == 1:
            return _empty_accounts()
        con.register("src", rel)
        created = _q(chosen["account_created"]) if "account_created" in chosen else None
        select = {
            "account_created": (f"min(coalesce(try_cast({created} as double), "
                                f"epoch(try_cast({created} as timestamptz))))"
                                if created else "cast(null as double)"),
            "handle": (f"any_value(cast({_q(chosen['handle'])} as varchar))"
                       if "handle" in chosen else "cast(null as varchar)"),
            "display_name": (f"any_value(cast({_q(chosen['display_name'])} as varchar))"
                             if "display_name" in chosen else "cast(null as varchar)"),
        }
        frame = con.execute(
            f"select cast({_q(chosen['account_id'])} as varchar) as account_id, "
            + ", ".join(f"{expr} as {name}" for name, expr in select.items())
            + " from src where account_id is not null group by 1 order by 1").df()
    finally:
        con.close()
    return frame.loc[:, list(ACCOUNT_COLUMNS)]


def _column(accounts: pd.DataFrame, name: str, *aliases: str) -> pd.Series:
    for c in (name, *aliases):
        if c in accounts.columns:
            return accounts[c]
    return pd.Series([None] * len(accounts), index=accounts.index, dtype=object)


def _fold_name(name: object) -> str:
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


def _prepared(accounts: pd.DataFrame) -> pd.DataFrame:
    created = pd.to_numeric(_column(accounts, "account_created"), errors="coerce")
    handles = _column(accounts, "handle", "screen_name").map(
        lambda h: h.lstrip("@") if isinstance(h, str) else "")
    frame = pd.DataFrame({
        "account_id": accounts["account_id"].astype(str).to_numpy(),
        "account_created": created.astype("float64").to_numpy(),
        "numbered_handle": handles.map(lambda h: bool(_DIGITS.search(h))).to_numpy(bool),
        "name": _column(accounts, "display_name").map(_fold_name).to_numpy(object),
    })
    return frame.drop_duplicates("account_id").sort_values("account_id").reset_index(drop=True)


def account_traits(accounts: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Per-account flags (TRAIT_COLUMNS) for explanations: how many other accounts were
    created within CREATION_SPAN_S, whether the handle ends in a digit run, how many accounts
    use the same display name, and the traits in words."""
    if accounts.empty or "account_id" not in accounts.columns:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TRAIT_COLUMNS})
    f = _prepared(accounts)
    created = f["account_created"].to_numpy(np.float64)
    known = ~np.isnan(created)
    order = np.sort(created[known])
    nearby = np.zeros(len(f), np.int64)
    nearby[known] = (np.searchsorted(order, created[known] + CREATION_SPAN_S, "right")
                     - np.searchsorted(order, created[known] - CREATION_SPAN_S, "left") - 1)
    names = f["name"].where(f["name"] != "")
    name_accounts = names.map(names.value_counts()).fillna(0).astype("int64")
    words = []
    for n_near, numbered, n_name in zip(nearby, f["numbered_handle"], name_accounts,
                                        strict=True):
        parts = []
        if n_near:
            parts.append(f"created within {CREATION_SPAN_S / 3600:g} h of {n_near} "
                         f"other account(s)")
        if numbered:
            parts.append(f"handle ends in {DIGIT_RUN}+ digits")
        if n_name > 1:
            parts.append(f"display name used by {n_name} accounts")
        words.append("; ".join(parts))
    return pd.DataFrame({"account_id": f["account_id"], "account_created": created,
                         "created_nearby": nearby, "numbered_handle": f["numbered_handle"],
                         "name_accounts": name_accounts.to_numpy(), "traits": words})


def _block_pairs(keys: pd.Series) -> pd.DataFrame:
    """Pairs (i < j, row positions) of rows with equal non-null key, blocks of 2..MAX_BLOCK."""
    keys = keys.dropna()
    sizes = keys.map(keys.value_counts())
    keys = keys[(sizes >= 2) & (sizes <= MAX_BLOCK)]
    if keys.empty:
        return pd.DataFrame({"i": pd.Series(dtype="int64"), "j": pd.Series(dtype="int64")})
    rows = pd.DataFrame({"key": keys.to_numpy(), "i": keys.index.to_numpy(np.int64)})
    pairs = rows.merge(rows.rename(columns={"i": "j"}), on="key")
    return pairs.loc[pairs["i"] < pairs["j"], ["i", "j"]]


def trait_edges(accounts: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Account pairs sharing traits (EDGE_COLUMNS, signal "shared_traits", sorted by a, b);
    empty when the table has no trait columns."""
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("weight", "first_ts",
                                                                "last_ts")
                                       else "int64" if c == "objects" else object)
                          for c in EDGE_COLUMNS})
    if accounts.empty or "account_id" not in accounts.columns:
        return empty
    f = _prepared(accounts)
    created = f["account_created"]
    blocks = [_block_pairs(f["name"].where(f["name"] != ""))]
    for shift in (0.0, 0.5):
        blocks.append(_block_pairs(np.floor(created / CREATION_SPAN_S + shift)))
    pairs = pd.concat(blocks, ignore_index=True).drop_duplicates()
    if pairs.empty:
        return empty
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    ci, cj = created.to_numpy()[i], created.to_numpy()[j]
    together = np.abs(ci - cj) <= CREATION_SPAN_S  # NaN compares False
    names = f["name"].to_numpy(object)
    same_name = (names[i] == names[j]) & (names[i] != "")
    numbered = f["numbered_handle"].to_numpy(bool)
    both_numbered = numbered[i] & numbered[j] & (together | same_name)
    objects = together.astype(int) + same_name + both_numbered
    keep = objects > 0
    i, j, objects = i[keep], j[keep], objects[keep]
    labels = np.array(["created_together", "same_display_name", "numbered_handles"])
    flags = np.column_stack([together[keep], same_name[keep], both_numbered[keep]])
    ids = f["account_id"].to_numpy(object)
    edges = pd.DataFrame({
        "a": ids[i], "b": ids[j], "signal": "shared_traits",
        "weight": objects / 3.0, "objects": objects.astype("int64"),
        "first_ts": np.fmin(ci[keep], cj[keep]), "last_ts": np.fmax(ci[keep], cj[keep]),
        "examples": ["|".join(labels[row]) for row in flags],
    })
    return edges.sort_values(["a", "b"]).reset_index(drop=True).loc[:, list(EDGE_COLUMNS)]
