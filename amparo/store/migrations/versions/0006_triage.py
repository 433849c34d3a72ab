"""findings triage: the decision on each finding and its history

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_triage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("detector", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("spans", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_finding_triage_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_triage")),
        sa.UniqueConstraint("key", name=op.f("uq_finding_triage_key")),
    )
    op.create_index(op.f("ix_finding_triage_message_id"), "finding_triage", ["message_id"])
    op.create_table(
        "finding_triage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("triage_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["triage_id"], ["finding_triage.id"],
                                name=op.f("fk_finding_triage_history_triage_id_finding_triage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_triage_history")),
    )
    op.create_index(op.f("ix_finding_triage_history_triage_id"), "finding_triage_history",
                    ["triage_id"])


def downgrade() -> None:
    op.drop_table("finding_triage_history")
    op.drop_table("finding_triage")
