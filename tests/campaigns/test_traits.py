"""Account traits: loading them from the original file, per-account flags, weak edges."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from amparo.campaigns.model import EDGE_COLUMNS, Settings
from amparo.campaigns.traits import account_traits, load_account_table, trait_edges

T0 = 1_600_000_000.0


def accounts() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["u1", "u2", "u3", "u4", "u5", "u6"],
        "account_created": [T0, T0 + 600, T0 + 1200, T0 + 86400 * 30, T0 + 86400 * 90, None],
        "handle": ["@maria84629173", "joao19283746", "ana_souza", "Maria Silva", "pedro77",
                   "carla55512"],
        "display_name": ["Maria Silva", "Patriota BR", "Patriota  br!", "maria silva",
                         "Pedro", None],
    })


def edge(edges: pd.DataFrame, a: str, b: str) -> pd.Series:
    return edges.set_index(["a", "b"]).loc[(a, b)]


def test_trait_edges() -> None:
    edges = trait_edges(accounts(), Settings())
    assert list(edges.columns) == list(EDGE_COLUMNS)
    assert set(zip(edges["a"], edges["b"], strict=True)) == {
        ("u1", "u2"), ("u1", "u3"), ("u2", "u3"), ("u1", "u4")}
    # created 10 minutes apart, both numbered handles
    assert edge(edges, "u1", "u2")["objects"] == 2
    assert edge(edges, "u1", "u2")["examples"] == "created_together|numbered_handles"
    # created together and the same name once folded
    assert edge(edges, "u2", "u3")["examples"] == "created_together|same_display_name"
    assert edge(edges, "u1", "u4")["examples"] == "same_display_name"
    assert (edges["signal"] == "shared_traits").all()
    assert (edges["weight"] <= 1.0).all()


def test_numbered_handles_alone_make_no_edge() -> None:
    frame = pd.DataFrame({"account_id": ["x", "y"], "handle": ["ab12345", "cd67890"]})
    assert trait_edges(frame, Settings()).empty


def test_common_names_are_not_paired() -> None:
    frame = pd.DataFrame({"account_id": [f"u{i}" for i in range(60)],
                          "display_name": ["Maria"] * 60})
    assert trait_edges(frame, Settings()).empty


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"account_id": ["a", "b"]}),
    pd.DataFrame({"account_id": pd.Series(dtype=str)}),
    pd.DataFrame(),
])
def test_no_traits_no_edges(frame: pd.DataFrame) -> None:
    assert trait_edges(frame, Settings()).empty
    assert list(trait_edges(frame, Settings()).columns) == list(EDGE_COLUMNS)


def test_account_traits_flags() -> None:
    flags = account_traits(accounts()).set_index("account_id")
    assert flags.loc["u1", "created_nearby"] == 2  # u2 and u3 within the hour
    assert flags.loc["u4", "created_nearby"] == 0
    assert bool(flags.loc["u1", "numbered_handle"]) and not flags.loc["u5", "numbered_handle"]
    assert flags.loc["u4", "name_accounts"] == 2
    assert "display name used by 2 accounts" in flags.loc["u1", "traits"]
    assert flags.loc["u6", "traits"] == "handle ends in 4+ digits"


def test_load_account_table_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    pd.DataFrame({
        "user": ["u1", "u1", "u2"],
        "content_id": ["1", "2", "3"],
        "timestamp_share": [T0, T0 + 1, T0 + 2],
        "user_created_at": ["2020-09-13T12:26:40Z", "2020-09-13T12:26:40Z",
                            "2020-09-13T12:36:40Z"],
        "screen_name": ["maria84629173", "maria84629173", "joao19283746"],
    }).to_csv(path, index=False)
    table = load_account_table(path, {"account_id": "user"})
    assert table["account_id"].tolist() == ["u1", "u2"]
    assert table["account_created"].tolist() == [T0, T0 + 600]
    assert table["handle"].tolist() == ["maria84629173", "joao19283746"]
    assert table["display_name"].isna().all()
    edges = trait_edges(table, Settings())
    assert edges["examples"].tolist() == ["created_together|numbered_handles"]


def test_load_account_table_without_traits(tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    pd.DataFrame({"account_id": ["a"], "timestamp": [T0], "url": ["x"]}).to_csv(path,
                                                                              index=False)
    table = load_account_table(path)
    assert table.empty and list(table.columns) == ["account_id", "account_created", "handle",
                                                   "display_name"]
