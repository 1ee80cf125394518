"""``store_setting``: facts about the store kept with it. The first is the evidence folder
its files were written to (an absolute path), so that ``audit verify`` finds the files
wherever it is run from. Written by the first advance that stores a file, and by
``plancycle init``; stores migrated from 0009 get it with their next such write.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_setting")),
    )


def downgrade() -> None:
    op.drop_table("store_setting")
