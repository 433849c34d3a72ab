"""The account services on SQLite and PostgreSQL: hashes and sealed secrets at rest,
lockout, one-time codes, recovery codes, sessions, tokens, and the custody log entries."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from amparo.accounts import sessions, tokens, totp, users
from amparo.accounts.policy import Policy
from amparo.store import anchors
from amparo.store.tables import AuditEvent, User, WebSession
from amparo.store.workspace import Workspace
from tests.web.conftest import FAST, PASSWORD, add_user


def _actions(ws: Workspace) -> list[tuple[str, str]]:
    with ws.session() as s:
        return [(e.action, e.object_id) for e in s.execute(
            select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


def test_nothing_secret_is_stored_in_clear(ws: Workspace) -> None:
    who = add_user(ws, "ana", "admin")
    with ws.session() as s:
        row = s.execute(select(User).where(User.username == "ana")).scalar_one()
        raw = json.dumps([row.password_hash, row.recovery_hashes]) + repr(row.totp_sealed)
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in raw and who.secret not in raw
    assert all(code not in raw for code in who.recovery_codes)
    assert row.totp_sealed is not None and row.totp_sealed.startswith(b"AMPS")


def test_user_changes_are_in_the_custody_log_and_chain_holds(ws: Workspace) -> None:
    add_user(ws, "ana", "admin")
    with ws.session() as s:
        users.set_disabled(s, "ana", True, actor="boss")
        users.reset_second_factor(s, "ana", actor="boss")
    assert ("user.create", "ana") in _actions(ws)
    assert ("user.disable", "ana") in _actions(ws)
    assert ("user.reset-2fa", "ana") in _actions(ws)
    with ws.session() as s:
        assert anchors.verify_chain(s, ws.head_file, ws.custody_key).problems == []


def test_bad_names_roles_and_short_passwords_are_refused(ws: Workspace) -> None:
    with ws.session() as s:
        for name, role, password in [("A B", "admin", PASSWORD), ("ana", "boss", PASSWORD),
                                     ("ana", "admin", "short")]:
            with pytest.raises(ValueError):
                users.create_user(s, ws.key, FAST, name, role, password, actor="t",
                                  enrol_now=False)
    add_user(ws, "ana", "viewer")
    with ws.session() as s, pytest.raises(users.AccountError, match="already exists"):
        users.create_user(s, ws.key, FAST, "ANA", "viewer", PASSWORD, actor="t",
                          enrol_now=False)


def test_lockout_after_repeated_failures_even_with_the_right_password(ws: Workspace) -> None:
    add_user(ws, "ana", "caseworker")
    policy = Policy(hash_time_cost=1, hash_memory_kib=8 * 1024, max_failures=3,
                    lockout_minutes=15)
    for _ in range(3):
        with ws.session() as s:
            assert users.check_password(s, policy, "ana", "wrong password!!") is None
    with ws.session() as s:
        assert users.check_password(s, policy, "ana", PASSWORD) is None  # locked
        row = users.get_user(s, "ana")
        row.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # the lockout ends
    with ws.session() as s:
        assert users.check_password(s, policy, "ana", PASSWORD) is not None
    failures = [a for a in _actions(ws) if a[0] == "login.failed"]
    assert len(failures) == 4


def test_unknown_user_is_refused_without_recording_what_was_typed(ws: Workspace) -> None:
    with ws.session() as s:
        assert users.check_password(s, FAST, "my secret password", PASSWORD) is None
    assert ("login.failed", "") in _actions(ws)
    with ws.session() as s:
        details = " ".join(e.details + e.actor for e in s.execute(select(AuditEvent)).scalars())
    assert "my secret password" not in details


def test_totp_code_is_single_use_and_recovery_code_is_spent(ws: Workspace) -> None:
    who = add_user(ws, "ana", "analyst")
    now = time.time()
    code = totp.code_at(who.secret, now)
    with ws.session() as s:
        user = users.get_user(s, "ana")
        assert users.check_second_factor(s, ws.key, FAST, user, code, unix_time=now)
    with ws.session() as s:
        user = users.get_user(s, "ana")
        assert not users.check_second_factor(s, ws.key, FAST, user, code, unix_time=now)
    recovery = who.recovery_codes[3]
    for expected in (True, False):
        with ws.session() as s:
            user = users.get_user(s, "ana")
            assert users.check_second_factor(s, ws.key, FAST, user, recovery) is expected


def test_enrolment_keeps_its_secret_until_confirmed(ws: Workspace) -> None:
    with ws.session() as s:
        users.create_user(s, ws.key, FAST, "bea", "caseworker", PASSWORD, actor="t",
                          enrol_now=False)
    with ws.session() as s:
        user = users.get_user(s, "bea")
        secret = users.enrolment_secret(s, ws.key, user)
        assert users.enrolment_secret(s, ws.key, user) == secret
        assert users.confirm_enrolment(s, ws.key, user, "000000", unix_time=0) is None
        codes = users.confirm_enrolment(s, ws.key, user, totp.code_at(secret, time.time()))
        assert codes is not None and len(codes) == 10 and user.totp_confirmed


def test_sessions_expire_when_idle_or_half_done_and_end_when_user_is_disabled(
    ws: Workspace,
) -> None:
    add_user(ws, "ana", "viewer")
    with ws.session() as s:
        token = sessions.start(s, FAST, users.get_user(s, "ana"), sessions.FULL)
    with ws.session() as s:
        found = sessions.resolve(s, FAST, token)
        assert found is not None and found[1].username == "ana"
        stored = s.execute(select(WebSession.token_hash)).scalar_one()
        assert stored == sessions.token_hash(token) != token
        found[0].last_seen = datetime.now(UTC) - timedelta(minutes=FAST.session_idle_minutes)
    with ws.session() as s:
        assert sessions.resolve(s, FAST, token) is None
    with ws.session() as s:
        pending = sessions.start(s, FAST, users.get_user(s, "ana"), sessions.PENDING)
    with ws.session() as s:
        found = sessions.resolve(s, FAST, pending)
        assert found is not None
        found[0].created_at -= sessions.PENDING_FOR  # the second factor never came
    with ws.session() as s:
        assert sessions.resolve(s, FAST, pending) is None
    with ws.session() as s:
        token = sessions.start(s, FAST, users.get_user(s, "ana"), sessions.FULL)
        users.set_disabled(s, "ana", True, actor="t")
    with ws.session() as s:
        assert sessions.resolve(s, FAST, token) is None


def test_api_tokens_resolve_until_revoked_and_are_stored_hashed(ws: Workspace) -> None:
    add_user(ws, "ana", "coordinator")
    with ws.session() as s:
        token_id, token = tokens.create(s, "ana", "reports", actor="t")
    with ws.session() as s:
        user = tokens.resolve(s, token)
        assert user is not None and user.role == "coordinator"
        assert tokens.resolve(s, token + "x") is None
        assert token not in json.dumps(tokens.list_tokens(s))
        tokens.revoke(s, token_id, actor="t")
    with ws.session() as s:
        assert tokens.resolve(s, token) is None
        with pytest.raises(LookupError):
            tokens.revoke(s, 999, actor="t")
