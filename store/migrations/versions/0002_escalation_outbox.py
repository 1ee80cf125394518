"""Deadlines that act: escalations (each rung at most once), contacts, the notification
outbox and its delivery attempts; and the ``scheduler`` actor that automatic steps
are recorded under.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "escalation",
        _id(),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("step_seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        _ts("due_at", nullable=True),
        _ts("at"),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instance.id"], name=op.f("fk_escalation_instance_id_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
        sa.UniqueConstraint(
            "instance_id",
            "step_seq",
            "level",
            name=op.f("uq_escalation_instance_id_step_seq_level"),
        ),
    )
    op.create_index(op.f("ix_escalation_instance_id"), "escalation", ["instance_id"])

    op.create_table(
        "contact",
        _id(),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint(
            "area_code",
            "role",
            "channel",
            "address",
            name=op.f("uq_contact_area_code_role_channel_address"),
        ),
    )
    op.create_index(op.f("ix_contact_area_code"), "contact", ["area_code"])

    op.create_table(
        "outbox_message",
        _id(),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        sa.Column("claimed_by", sa.String(), nullable=True),
        _ts("claimed_until", nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        _ts("created_at"),
        _ts("delivered_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalation.id"],
            name=op.f("fk_outbox_message_escalation_id_escalation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(op.f("ix_outbox_message_escalation_id"), "outbox_message", ["escalation_id"])
    op.create_index(
        "ix_outbox_message_status_next_attempt_at", "outbox_message", ["status", "next_attempt_at"]
    )

    op.create_table(
        "delivery_attempt",
        _id(),
        sa.Column("message_id", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("worker", sa.String(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_delivery_attempt_message_id_outbox_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    op.create_index(op.f("ix_delivery_attempt_message_id"), "delivery_attempt", ["message_id"])

    actor = sa.table(
        "actor",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("role", sa.String()),
        sa.column("area_code", sa.String()),
        sa.column("active", sa.Boolean()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        actor,
        [
            {
                "id": "scheduler",
                "name": "plancycle scheduler",
                "role": "scheduler",
                "area_code": None,
                "active": True,
                "created_at": datetime(2025, 11, 25, tzinfo=UTC),
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM actor WHERE id = 'scheduler'")
    op.drop_table("delivery_attempt")
    op.drop_table("outbox_message")
    op.drop_table("contact")
    op.drop_table("escalation")
