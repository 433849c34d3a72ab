"""campaigns

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("defender_id", sa.Integer(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accounts", sa.Text(), nullable=False),
        sa.Column("objects", sa.Text(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["defender_id"], ["defenders.id"], name=op.f("fk_campaigns_defender_id_defenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_defender_id"), ["defender_id"], unique=False)

    op.create_table(
        "campaign_messages",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_messages_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_campaign_messages_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "message_id", name=op.f("pk_campaign_messages")),
    )
    with op.batch_alter_table("campaign_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_messages_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_messages_message_id"))

    op.drop_table("campaign_messages")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_defender_id"))

    op.drop_table("campaigns")
