"""An index for the KPI roll-ups: records by step.

- ``transition_record``: ``(trigger, instance_id)``. The KPIs that read a recorded value
  (Activity 2's evaluation, Activity 1's district composition) take the latest record of
  one step of each instance in the area; without it both databases read every record of
  the year (500,000 in a full year: ~100 ms on PostgreSQL for each status page of the
  nation), with it only that step's records.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_transition_record_trigger_instance_id",
        "transition_record",
        ["trigger", "instance_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_transition_record_trigger_instance_id", table_name="transition_record")
