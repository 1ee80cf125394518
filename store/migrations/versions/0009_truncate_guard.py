"""The trail cannot be emptied quietly.

- PostgreSQL: a statement-level trigger refuses ``TRUNCATE transition_record`` (the
  row triggers of 0003 see UPDATE and DELETE only; TRUNCATE fires no row trigger). It
  also fires when ``TRUNCATE instance CASCADE`` reaches the records. SQLite has no
  TRUNCATE: its ``DELETE FROM`` is refused by 0003's trigger already.
- ``cycle.instance_counts``: how many instances of each process the cycle holds, kept
  by cycle start, so that ``audit verify`` names a process whose instances were
  deleted with their records. Cycles started before this revision get the counts of
  the instances they hold now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0003's function, plancycle_append_only(), raises for whatever TG_OP fired it
_PG_TRIGGER = (
    "CREATE TRIGGER transition_record_no_truncate BEFORE TRUNCATE ON transition_record "
    "FOR EACH STATEMENT EXECUTE FUNCTION plancycle_append_only()"
)


def upgrade() -> None:
    with op.batch_alter_table("cycle") as batch:
        batch.add_column(sa.Column("instance_counts", sa.JSON(), nullable=True))
    _count_existing_instances()
    with op.batch_alter_table("cycle") as batch:
        batch.alter_column("instance_counts", existing_type=sa.JSON(), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGER)


def _count_existing_instances() -> None:
    bind = op.get_bind()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = bind.execute(
        sa.text(
            "SELECT cycle_id, definition_id, COUNT(*) FROM instance "
            "GROUP BY cycle_id, definition_id"
        )
    ).all()
    for cycle_id, definition_id, count in rows:
        counts[cycle_id][definition_id] = count
    for (cycle_id,) in bind.execute(sa.text("SELECT id FROM cycle")).all():
        bind.execute(
            sa.text("UPDATE cycle SET instance_counts = :c WHERE id = :i").bindparams(
                sa.bindparam("c", type_=sa.JSON())
            ),
            {"c": counts.get(cycle_id, {}), "i": cycle_id},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS transition_record_no_truncate ON transition_record")
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("instance_counts")
