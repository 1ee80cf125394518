"""One digest per recipient per working day: ``outbox_message.digest_key`` (unique) and
``digest_id``, and two more statuses, ``held`` (waits for its recipient's digest) and
``digested`` (went out inside one).

The unique ``digest_key`` ("2025-03-03|email|x@y") is what keeps several schedulers on
one PostgreSQL from building the same digest twice. SQLite rebuilds the table (batch
mode) to change its CHECK and add the foreign key.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "status IN ('pending', 'delivered', 'dead')"
_AFTER = "status IN ('pending', 'delivered', 'dead', 'held', 'digested')"


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_constraint(op.f("ck_outbox_message_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_message_status"), _AFTER)
        batch.add_column(sa.Column("digest_key", sa.String(), nullable=True))
        batch.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_outbox_message_digest_key"), ["digest_key"])
        batch.create_foreign_key(
            op.f("fk_outbox_message_digest_id_outbox_message"),
            "outbox_message",
            ["digest_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_outbox_message_digest_id"), ["digest_id"])


def downgrade() -> None:
    # held items go out one by one again; digests stay as the messages they were
    op.execute("UPDATE outbox_message SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE outbox_message SET status = 'delivered' WHERE status = 'digested'")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index(op.f("ix_outbox_message_digest_id"))
        batch.drop_constraint(
            op.f("fk_outbox_message_digest_id_outbox_message"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("uq_outbox_message_digest_key"), type_="unique")
        batch.drop_column("digest_id")
        batch.drop_column("digest_key")
        batch.drop_constraint(op.f("ck_outbox_message_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_message_status"), _BEFORE)
