"""Roles and what each may do. Every web route declares one Permission (or PUBLIC); a role
holds a fixed set of permissions. Deny by default: a permission no role lists is refused."""

from __future__ import annotations

import enum

from amparo.errors import InvalidValue


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CASEWORKER = "caseworker"
    ANALYST = "analyst"
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    PUBLIC = "public"  # no sign-in needed (login page, static files, OpenAPI document)
    SIGN_IN = "sign-in"  # the password step is done; the second factor is still pending
    OWN_ACCOUNT = "account.self"  # one's own settings, language, password
    VIEW_DASHBOARD = "dashboard.view"  # aggregate counts of the workspace
    MANAGE_USERS = "users.manage"
    # Cases: the role may open case routes; which cases, and what it may do in each, is
    # decided per case by amparo/cases/policy.py (need-to-know).
    VIEW_CASES = "cases.view"
    WORK_CASES = "cases.work"
    READ_FINDINGS = "findings.read"  # the findings inbox and messages, within need-to-know
    TRIAGE_FINDINGS = "findings.triage"  # confirm, dismiss or escalate a finding


_EVERY_STAFF = frozenset({Permission.OWN_ACCOUNT, Permission.VIEW_DASHBOARD})
# Analysts work on aggregates and campaigns, viewers on cases shared with them: neither reads
# or decides on individual findings in the inbox.
_CASEWORK = frozenset({Permission.VIEW_CASES, Permission.WORK_CASES,
                       Permission.READ_FINDINGS, Permission.TRIAGE_FINDINGS})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _EVERY_STAFF | _CASEWORK | {Permission.MANAGE_USERS},
    Role.COORDINATOR: _EVERY_STAFF | _CASEWORK,
    Role.CASEWORKER: _EVERY_STAFF | _CASEWORK,
    Role.ANALYST: _EVERY_STAFF,  # aggregates only: no case content
    Role.VIEWER: _EVERY_STAFF | {Permission.VIEW_CASES},
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidValue(f"unknown role {value!r}; choose one of {names}") from None


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False  # an unknown role stored in the database gets nothing
