"""``evidence_use``: each file as one record attached it (slot, the name it had then),
so the same bytes attached again under another name do not rename them elsewhere.
Older records have no rows here and show the ``evidence`` row's name, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_use",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instance.id"], name=op.f("fk_evidence_use_instance_id_instance")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["evidence.sha256"], name=op.f("fk_evidence_use_sha256_evidence")
        ),
        sa.PrimaryKeyConstraint("instance_id", "seq", "slot", name=op.f("pk_evidence_use")),
    )


def downgrade() -> None:
    op.drop_table("evidence_use")
