"""Data model of campaign detection: the tables signals read, the edges they emit, and the
campaigns assembled from them.

Input is two pandas tables (see `io.py` for loading them from files or the workspace):

- **shares**: one row per (post, shared object): `post_id`, `account_id`, `timestamp` (epoch
  seconds, float), `object_type` (one of OBJECT_TYPES), `object_id` (str);
- **posts**: one row per post: `post_id`, `account_id`, `timestamp`, `text` (may be null).

A signal turns them into **edges** between pairs of accounts (`a` < `b`), a pandas table with
EDGE_COLUMNS. Campaigns are groups of accounts held together by strong edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHARE_COLUMNS = ("post_id", "account_id", "timestamp", "object_type", "object_id")
POST_COLUMNS = ("post_id", "account_id", "timestamp", "text")
OBJECT_TYPES = ("url", "domain", "hashtag", "retweet", "reply", "object", "mention", "image")
# a < b; weight: signal-specific strength; objects: distinct objects (or texts) shared together;
# first_ts/last_ts: the span of the shared activity; examples: up to 5 object ids, "|"-joined.
EDGE_COLUMNS = ("a", "b", "signal", "weight", "objects", "first_ts", "last_ts", "examples")


@dataclass(frozen=True)
class Settings:
    """Tunable thresholds; `None` windows are estimated from the data (`cosharing.py`)."""

    window_s: float | None = None  # co-sharing window; estimated when None
    min_window_s: float = 10.0
    max_window_s: float = 3600.0
    min_repeat: int = 2  # distinct objects two accounts must co-share within the window
    max_object_accounts: int = 2000  # objects shared by more accounts are "viral", not paired
    text_window_s: float = 6 * 3600.0  # near-duplicate texts count within this span
    neardup_threshold: float = 0.7  # estimated Jaccard similarity of word shingles
    min_text_tokens: int = 5  # shorter texts are too generic to call near-duplicates
    # Inside an LSH bucket, each post is compared with at most this many later posts within
    # text_window_s (in time order): boilerplate posted by thousands of accounts in a few hours
    # costs posts x this, not posts squared (see `neardup.py`).
    max_text_neighbours: int = 100
    # Accounts in one near-duplicate cluster (a chain of variants) count as posting the same
    # text up to this cluster size; bigger clusters keep only their direct pairs.
    max_cluster_posts: int = 500
    min_accounts: int = 3  # smallest campaign
    partitions: int = 16  # hash partitions for the local engine (bounds memory)


@dataclass(frozen=True)
class SignalStrength:
    name: str
    edges: int
    accounts: int
    strength: float  # 0..1, share of the campaign's possible account pairs it links
    detail: str


@dataclass
class Campaign:
    id: str  # stable: a hash of the sorted accounts
    accounts: list[str]
    posts: list[str]
    objects: list[str]
    start: float
    end: float
    signals: dict[str, SignalStrength]
    score: float
    explanation: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "accounts": self.accounts,
            "posts": self.posts,
            "objects": self.objects,
            "start": self.start,
            "end": self.end,
            "signals": {k: {"edges": v.edges, "accounts": v.accounts,
                            "strength": round(v.strength, 4), "detail": v.detail}
                        for k, v in self.signals.items()},
            "score": round(self.score, 4),
            "explanation": self.explanation,
            **({"extra": self.extra} if self.extra else {}),
        }
