"""CHECK constraints on the columns that hold a closed set of values.

- ``outbox_message.status``: pending, delivered, dead (``OutboxStatus``);
- ``escalation.kind``: opened, reminder, overdue, escalation (``EscalationKind``);
- ``area.level``: province, district, tambon, village.

The values are written out here, not taken from the enums: a revision says what the
schema was at the time it was written. SQLite cannot add a CHECK to a table; batch
mode rebuilds each table with its rows (``plancycle.store.db.migrate`` turns foreign
keys off around it, as SQLite requires for rebuilding a referenced table).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, constraint name, column, values)
CHECKS = (
    ("outbox_message", "ck_outbox_message_status", "status", ("pending", "delivered", "dead")),
    ("escalation", "ck_escalation_kind", "kind", ("opened", "reminder", "overdue", "escalation")),
    ("area", "ck_area_level", "level", ("province", "district", "tambon", "village")),
)


def upgrade() -> None:
    for table, name, column, values in CHECKS:
        listed = ", ".join(f"'{v}'" for v in values)
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(op.f(name), f"{column} IN ({listed})")


def downgrade() -> None:
    for table, name, _column, _values in reversed(CHECKS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(name), type_="check")
