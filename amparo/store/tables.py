"""SQLAlchemy table mappings. The schema itself is created by the Alembic migrations in
`migrations/`; a test checks that the two agree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise return naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Defender(Base):
    __tablename__ = "defenders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The private-data watchlist (home address, relatives...), sealed with the vault key.
    watchlist_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(500))
    handle: Mapped[str | None] = mapped_column(String(500))
    display_names: Mapped[str] = mapped_column(Text, default="[]")  # JSON list


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("defender_id", "platform", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"))
    platform: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(String(500))


class ImportRun(Base):
    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"))
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    report: Mapped[str] = mapped_column(Text)  # JSON: formats, counts, record errors


class EvidenceItem(Base):
    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("defender_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"))
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(String(1000))
    format: Mapped[str] = mapped_column(String(32))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_by: Mapped[str] = mapped_column(String(200))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("defender_id", "fingerprint"),
        Index("ix_messages_defender_ts", "defender_id", "ts_utc"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"))
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    platform: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(500))
    ts_utc: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Offset of the original local time from UTC, in minutes; None when the source gave none.
    utc_offset_min: Mapped[int | None] = mapped_column(Integer)
    # True when the time zone was supplied by the caseworker, not written in the source.
    tz_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    reply_to: Mapped[str | None] = mapped_column(String(500))
    forwarded_from: Mapped[str | None] = mapped_column(String(500))
    recipients: Mapped[str | None] = mapped_column(Text)  # JSON list of account ids
    attachments: Mapped[str | None] = mapped_column(Text)  # JSON list
    locator: Mapped[str] = mapped_column(Text)  # JSON object, see domain.Locator
    extra: Mapped[str | None] = mapped_column(Text)  # JSON object
    fingerprint: Mapped[str] = mapped_column(String(32))


class AuditEvent(Base):
    """The custody log: append-only, each entry hashing the previous one. See custody.py."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as stored
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class AnalysisRun(Base):
    """One run of the detectors; `manifest` says exactly what produced its findings."""

    __tablename__ = "analysis_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int | None] = mapped_column(ForeignKey("defenders.id"))
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    messages: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[str] = mapped_column(Text)  # JSON
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_label_severity", "label", "severity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id"), index=True)
    detector: Mapped[str] = mapped_column(String(64))
    detector_version: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64))
    severity: Mapped[int] = mapped_column(Integer)  # detect.base.Severity
    score: Mapped[float] = mapped_column(Float)
    spans: Mapped[str] = mapped_column(Text)  # JSON list of [start, end, text]
    explanation: Mapped[str] = mapped_column(Text)


class CampaignRow(Base):
    """A detected coordinated campaign (see amparo/campaigns), kept with its explanation."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32))  # Campaign.id: a hash of its accounts
    defender_id: Mapped[int | None] = mapped_column(ForeignKey("defenders.id"), index=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accounts: Mapped[str] = mapped_column(Text)  # JSON list of account keys
    objects: Mapped[str] = mapped_column(Text)  # JSON list
    signals: Mapped[str] = mapped_column(Text)  # JSON object
    explanation: Mapped[str] = mapped_column(Text)
    manifest: Mapped[str] = mapped_column(Text)  # JSON: settings, window, engine, inputs


class CampaignMessage(Base):
    __tablename__ = "campaign_messages"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True,
                                            index=True)


class User(Base):
    """A staff account of the web application (see amparo/accounts)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, PHC string
    # The TOTP secret, sealed with the workspace key; None until enrolment starts.
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # refuses a replayed code
    recovery_hashes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, SHA-256 hex
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser; only the SHA-256 of the cookie's random id is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # "password" (2nd factor pending) | "full"
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for /api/v1; it acts with its user's role. Only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Case(Base):
    """A case about one defender (see amparo/cases): a workflow status, people, notes, tasks,
    links to the evidence, and its activity history."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # cases.workflow.Status
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)


class CaseAssignee(Base):
    __tablename__ = "case_assignees"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class CaseShare(Base):
    """A user given read access to one case (need-to-know beyond the assignees)."""

    __tablename__ = "case_shares"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class CaseNote(Base):
    """Append-only: a correction is a new note naming the one it `supersedes`."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    shared: Mapped[bool] = mapped_column(Boolean)  # False: internal to the staff
    text: Mapped[str] = mapped_column(Text)
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseTask(Base):
    __tablename__ = "case_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))


class CaseLink(Base):
    """A case points at a finding, a message or an evidence item (`kind`, `target_id`)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "kind", "target_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseActivity(Base):
    """Every change to a case: who, when, what (views go to the custody log only)."""

    __tablename__ = "case_activity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON object


class FindingTriage(Base):
    """A caseworker's decision on a finding. Keyed by what the finding is (message, detector,
    label, spans), not by the findings row id: re-analysis replaces the rows, and a finding
    that reappears identical keeps its decision (see amparo/triage.py)."""

    __tablename__ = "finding_triage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the identity
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    detector: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    spans: Mapped[str] = mapped_column(Text)  # equal to findings.spans of that finding
    status: Mapped[str] = mapped_column(String(16))  # confirmed | dismissed | escalated
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class FindingTriageEvent(Base):
    """Every triage change, in order: the history shown next to a finding."""

    __tablename__ = "finding_triage_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    triage_id: Mapped[int] = mapped_column(ForeignKey("finding_triage.id"), index=True)
    finding_id: Mapped[int] = mapped_column(Integer)  # the findings row at the time
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
