"""Refused attempts fold their repeats: ``count`` and ``last_at`` on ``refused_attempt``
(rows already kept count once), and an index on its actor for the folding look-up.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refused_attempt") as batch:
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_refused_attempt_actor_id"), "refused_attempt", ["actor_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_refused_attempt_actor_id"), table_name="refused_attempt")
    with op.batch_alter_table("refused_attempt") as batch:
        batch.drop_column("last_at")
        batch.drop_column("count")
