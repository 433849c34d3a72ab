"""The status of a case and the moves allowed between statuses."""

from __future__ import annotations

import enum

from amparo.errors import InvalidValue


class Status(enum.StrEnum):
    NEW = "new"
    TRIAGE = "triage"
    ACTIVE = "active"
    REFERRED = "referred"
    CLOSED = "closed"


# Forward along the workflow, back one step when triage or a referral falls through, closing
# from anywhere, and reopening a closed case into triage (its history stays).
MOVES: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.TRIAGE, Status.CLOSED}),
    Status.TRIAGE: frozenset({Status.ACTIVE, Status.CLOSED}),
    Status.ACTIVE: frozenset({Status.REFERRED, Status.TRIAGE, Status.CLOSED}),
    Status.REFERRED: frozenset({Status.ACTIVE, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.TRIAGE}),
}


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        names = ", ".join(s.value for s in Status)
        raise InvalidValue(f"unknown case status {value!r}; choose one of {names}") from None


def check_move(current: str, target: Status) -> None:
    now = Status(current)
    if target not in MOVES[now]:
        allowed = ", ".join(sorted(s.value for s in MOVES[now]))
        raise InvalidValue(f"a case cannot move from {now.value} to {target.value}; "
                           f"from {now.value} it may move to {allowed}")
