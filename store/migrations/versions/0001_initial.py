"""Initial schema: areas and target lists, cycles, instances, transition records,
evidence and actors.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Written by hand; column types are spelled with plain SQLAlchemy types (never the
application's own) so that this file means the same thing forever. Times are
``DateTime(timezone=True)``: ``timestamptz`` on PostgreSQL, ``DATETIME`` text holding
UTC on SQLite (see ``plancycle.store.types.UTCDateTime``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _areas()
    _cycles_and_instances()
    _history()


def _areas() -> None:
    op.create_table(
        "area",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("name_th", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=True),
        sa.Column("parent_code", sa.String(), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["area.code"], name=op.f("fk_area_parent_code_area")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area")),
    )
    op.create_index(op.f("ix_area_level"), "area", ["level"])
    op.create_index(op.f("ix_area_parent_code"), "area", ["parent_code"])
    op.create_index(op.f("ix_area_province_code"), "area", ["province_code"])

    op.create_table(
        "area_target",
        sa.Column("list_name", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_area_target_area_code_area")
        ),
        sa.PrimaryKeyConstraint("list_name", "area_code", name=op.f("pk_area_target")),
    )

    op.create_table(
        "actor",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["area_code"], ["area.code"], name=op.f("fk_actor_area_code_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
    )


def _cycles_and_instances() -> None:
    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        _ts("started_at"),
        sa.Column("definitions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
        sa.UniqueConstraint("fiscal_year", name=op.f("uq_cycle_fiscal_year")),
    )

    op.create_table(
        "instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.String(), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("district_code", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("due_at", nullable=True),
        _ts("state_entered_at"),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("completed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_instance_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_instance_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance")),
        sa.UniqueConstraint("key", name=op.f("uq_instance_key")),
    )
    for columns in (
        ["area_code"],
        ["cycle_id"],
        ["district_code"],
        ["due_at"],
        ["province_code"],
        ["definition_id", "state"],
        ["fiscal_year", "definition_id", "province_code"],
    ):
        op.create_index(op.f("ix_instance_" + "_".join(columns)), "instance", columns)


def _history() -> None:
    op.create_table(
        "transition_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=False),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_transition_record_instance_id_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_record")),
        sa.UniqueConstraint(
            "instance_id", "seq", name=op.f("uq_transition_record_instance_id_seq")
        ),
    )
    op.create_index(op.f("ix_transition_record_instance_id"), "transition_record", ["instance_id"])

    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _ts("stored_at"),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence")),
    )


def downgrade() -> None:
    op.drop_table("evidence")
    op.drop_table("transition_record")
    op.drop_table("instance")
    op.drop_table("cycle")
    op.drop_table("actor")
    op.drop_table("area_target")
    op.drop_table("area")
