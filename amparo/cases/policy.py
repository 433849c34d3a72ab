"""Need-to-know for cases, in one place. Two questions, both answered from the role and the
caller's relation to the case:

- `allowed(role, relation, op)`: may this caller do `op` on this case?
- `sees_all(role)`: does the role see every case (and every defender's material)?

A caller for whom READ is refused must not learn that the case exists (the service answers
NotFound); a caller who may read but not do `op` gets Forbidden."""

from __future__ import annotations

import enum

from amparo.accounts.roles import Role


class Relation(enum.StrEnum):
    ASSIGNED = "assigned"  # works the case
    SHARED = "shared"  # was given read access
    NONE = "none"


class Op(enum.StrEnum):
    READ = "read"  # the case, its links, tasks, activity and the notes shared with the defender
    READ_INTERNAL = "read-internal"  # the internal (staff-only) notes
    WORK = "work"  # move, note, task, link
    MANAGE = "manage"  # assign, unassign, share


_ALL = frozenset(Op)
_READ_ALL = frozenset({Op.READ, Op.READ_INTERNAL})

# Roles that see and do everything on every case.
_OVERSEERS = frozenset({Role.ADMIN, Role.COORDINATOR})

_RULES: dict[Role, dict[Relation, frozenset[Op]]] = {
    Role.CASEWORKER: {Relation.ASSIGNED: _READ_ALL | {Op.WORK}, Relation.SHARED: _READ_ALL,
                      Relation.NONE: frozenset()},
    # A viewer reads a case shared with them, without the staff's internal notes.
    Role.VIEWER: {Relation.ASSIGNED: frozenset({Op.READ}), Relation.SHARED: frozenset({Op.READ}),
                  Relation.NONE: frozenset()},
    # Analysts work from aggregates (counts by status), never from case content.
    Role.ANALYST: {r: frozenset() for r in Relation},
}

# Who may be made an assignee: people who do case work.
ASSIGNABLE = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER})
# Who may open a case (a caseworker who opens one is assigned to it).
MAY_CREATE = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER})


def _role(role: str) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None  # an unknown role gets nothing


def sees_all(role: str) -> bool:
    return _role(role) in _OVERSEERS


def allowed(role: str, relation: Relation, op: Op) -> bool:
    the_role = _role(role)
    if the_role is None:
        return False
    if the_role in _OVERSEERS:
        return op in _ALL
    return op in _RULES[the_role][relation]


def may_create(role: str) -> bool:
    return _role(role) in MAY_CREATE


def assignable(role: str) -> bool:
    return _role(role) in ASSIGNABLE


def sees_defender_material(role: str) -> bool:
    """Whether the role sees the messages and findings of the defenders of its cases
    (caseworkers); viewers read only the case itself, analysts only aggregates."""
    return _role(role) in _OVERSEERS | {Role.CASEWORKER}
