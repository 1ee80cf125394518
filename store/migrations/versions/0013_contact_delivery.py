"""How a contact is told: ``contact.delivery`` is ``immediate`` or ``digest``.

NULL keeps the default for the contact's role (``plancycle.notifier.contacts``).
Added with ``ADD COLUMN`` and a named CHECK through batch mode on SQLite.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECK = "delivery IS NULL OR delivery IN ('immediate', 'digest')"


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("delivery", sa.String(), nullable=True))
        batch.create_check_constraint(op.f("ck_contact_delivery"), _CHECK)


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.drop_constraint(op.f("ck_contact_delivery"), type_="check")
        batch.drop_column("delivery")
