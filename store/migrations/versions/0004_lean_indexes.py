"""Leaner indexes on the advance's path.

- ``transition_record``: the index on ``instance_id`` alone goes; the unique
  constraint on ``(instance_id, seq)`` is an index that serves every lookup by
  instance (and reads a chain in order). One index page less to write per advance.
- ``area``: the index on ``province_code`` becomes ``(province_code, level)``: a
  province's district count (a guard on Activity 2's steps) is read from the index
  alone instead of visiting every area of the province; lookups by province use
  its first column as before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_transition_record_instance_id", table_name="transition_record")
    op.drop_index("ix_area_province_code", table_name="area")
    op.create_index("ix_area_province_code_level", "area", ["province_code", "level"])


def downgrade() -> None:
    op.drop_index("ix_area_province_code_level", table_name="area")
    op.create_index("ix_area_province_code", "area", ["province_code"])
    op.create_index("ix_transition_record_instance_id", "transition_record", ["instance_id"])
