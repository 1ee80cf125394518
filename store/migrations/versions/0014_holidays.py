"""``holiday_change``: the administrators' changes to the Thai working-day calendar (a day
added as a holiday with its Thai name, or a package holiday removed), kept for good; the
newest change of a day holds.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("name_th", sa.String(), nullable=True),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('add', 'remove')", name=op.f("ck_holiday_change_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_change")),
    )
    op.create_index(op.f("ix_holiday_change_day"), "holiday_change", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_holiday_change_day"), table_name="holiday_change")
    op.drop_table("holiday_change")
