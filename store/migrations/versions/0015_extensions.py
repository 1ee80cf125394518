"""Deadline extensions: ``deadline_extension`` (``plancycle.workflow.extensions``).

One row per extension: who, in which role, when, the process, step and fiscal year, the
instance key or the area code (exactly one), the new deadline (end of its day, Bangkok,
stored UTC) and the reason. The instances it moves also hold a chained record.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("instance_key", sa.String(), nullable=True),
        sa.Column("area_code", sa.String(), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.CheckConstraint(
            "(instance_key IS NULL) <> (area_code IS NULL)",
            name=op.f("ck_deadline_extension_one_scope"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extension")),
    )
    op.create_index(
        "ix_deadline_extension_fiscal_year_definition_id_state",
        "deadline_extension",
        ["fiscal_year", "definition_id", "state"],
    )
    op.create_index(
        op.f("ix_deadline_extension_instance_key"), "deadline_extension", ["instance_key"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deadline_extension_instance_key"), "deadline_extension")
    op.drop_index("ix_deadline_extension_fiscal_year_definition_id_state", "deadline_extension")
    op.drop_table("deadline_extension")
