"""The review loop: a step recorded on behalf of another role names that role.

``transition_record.on_behalf_of`` (nullable): the role the actor recorded the step for
(ปฏิบัติราชการแทน / บันทึกแทน). The audit hash covers it when it is set; older records keep
their hashes. Send-back and correct records need no column: they are records with the
reserved triggers ``send_back`` and ``correct`` (``plancycle.workflow.review``).

Added with ``ADD COLUMN`` (no table rebuild), so SQLite keeps 0003's append-only triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("transition_record", sa.Column("on_behalf_of", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("transition_record", "on_behalf_of")
