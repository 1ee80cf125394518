"""Trust: the audit hash chain on transition records (with the hashes of existing
records computed here), each instance's chain head, actor token hashes, the log of
refused attempts, and triggers that make transition records append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-25

The hash function is copied here on purpose: this file must mean the same thing
forever, whatever the application's code becomes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION plancycle_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'transition_record is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def _genesis(key: str) -> str:
    return hashlib.sha256(f"plancycle:{key}".encode()).hexdigest()


def _hash(key: str, row: sa.Row[Any], prev: str) -> str:
    at = datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    data = row.data if isinstance(row.data, dict) else json.loads(row.data or "{}")
    evidence = row.evidence if isinstance(row.evidence, list) else json.loads(row.evidence or "[]")
    body = {
        "v": 1,
        "key": key,
        "seq": row.seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": row.actor_id,
        "role": row.role,
        "trigger": row.trigger,
        "from": row.from_state,
        "to": row.to_state,
        "data": data,
        "note": row.note,
        "evidence": evidence,
        "automatic": bool(row.automatic),
        "prev": prev,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("transition_record") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("instance") as batch:
        batch.add_column(sa.Column("head_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("actor") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_actor_token_hash"), ["token_hash"])
    _chain_existing_records()
    with op.batch_alter_table("transition_record") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    op.create_table(
        "refused_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_attempt")),
    )
    op.create_index(op.f("ix_refused_attempt_at"), "refused_attempt", ["at"])
    op.create_index(op.f("ix_refused_attempt_key"), "refused_attempt", ["key"])
    _append_only_triggers()


def _chain_existing_records() -> None:
    bind = op.get_bind()
    instances = bind.execute(sa.text("SELECT id, key FROM instance ORDER BY id")).all()
    records = sa.text(
        'SELECT id, seq, at, actor_id, role, "trigger", from_state, to_state, data, note, '
        "evidence, automatic FROM transition_record WHERE instance_id = :i ORDER BY seq"
    )
    for instance_id, key in instances:
        prev = _genesis(key)
        rows = bind.execute(records, {"i": instance_id}).all()
        for row in rows:
            digest = _hash(key, row, prev)
            bind.execute(
                sa.text("UPDATE transition_record SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": prev, "h": digest, "id": row.id},
            )
            prev = digest
        if rows:
            bind.execute(
                sa.text("UPDATE instance SET head_hash = :h WHERE id = :i"),
                {"h": prev, "i": instance_id},
            )


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER transition_record_append_only BEFORE UPDATE OR DELETE "
            "ON transition_record FOR EACH ROW EXECUTE FUNCTION plancycle_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER transition_record_no_{event.lower()} BEFORE {event} "
            f"ON transition_record BEGIN SELECT RAISE(ABORT, "
            f"'transition_record is append-only: {event} refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS transition_record_append_only ON transition_record")
        op.execute("DROP FUNCTION IF EXISTS plancycle_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS transition_record_no_update")
        op.execute("DROP TRIGGER IF EXISTS transition_record_no_delete")
    op.drop_table("refused_attempt")
    with op.batch_alter_table("actor") as batch:
        batch.drop_constraint(op.f("uq_actor_token_hash"), type_="unique")
        batch.drop_column("token_hash")
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("head_hash")
    with op.batch_alter_table("transition_record") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
