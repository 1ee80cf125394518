"""Target lists per fiscal year; withdrawn instances; one Activity 3 instance per
district and year.

- ``area_target.fiscal_year`` (BE) joins the primary key: the letter's strong tambons
  are "ประจำปี ๒๕๖๘" and FY2569 does not inherit FY2568's list. Rows already there are
  kept for every fiscal year that has a cycle (they made its instances), or for 2568
  when none has been started.
- ``instance.withdrawn_at``: an instance created by mistake is withdrawn (its record says
  who and why), never deleted, and left out of counts and KPIs.
- ``uq_instance_one_per_district``: at most one instance of Activity 3 that is not
  withdrawn per district and fiscal year, as a partial unique index (SQLite and
  PostgreSQL both have them). The upgrade stops, naming the districts, if a store
  already holds two.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LETTER_YEAR = 2568
# frozen here as it was when this migration was written (store/models.py holds the live one)
_ONE_PER_DISTRICT_WHERE = "definition_id IN ('activity3') AND withdrawn_at IS NULL"


def upgrade() -> None:
    bind = op.get_bind()
    years = [int(y) for (y,) in bind.execute(sa.text("SELECT fiscal_year FROM cycle ORDER BY 1"))]
    first = years[0] if years else _LETTER_YEAR
    with op.batch_alter_table("area_target") as batch:
        batch.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
    bind.execute(sa.text("UPDATE area_target SET fiscal_year = :y"), {"y": first})
    for year in years[1:]:
        bind.execute(
            sa.text(
                "INSERT INTO area_target (fiscal_year, list_name, area_code) "
                "SELECT :y, list_name, area_code FROM area_target WHERE fiscal_year = :first"
            ),
            {"y": year, "first": first},
        )
    with op.batch_alter_table("area_target") as batch:
        batch.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("pk_area_target", type_="primary")
        batch.create_primary_key("pk_area_target", ["fiscal_year", "list_name", "area_code"])

    with op.batch_alter_table("instance") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    twice = bind.execute(
        sa.text(
            "SELECT fiscal_year, district_code FROM instance WHERE "
            + _ONE_PER_DISTRICT_WHERE
            + " GROUP BY fiscal_year, district_code HAVING count(*) > 1"
        )
    ).all()
    if twice:
        listed = ", ".join(f"{fy}/{d}" for fy, d in twice[:20])
        raise RuntimeError(
            f"districts with two Activity 3 instances in one year: {listed}; withdraw one of "
            "each before upgrading (see README, 'instances withdraw')"
        )
    op.create_index(
        "uq_instance_one_per_district",
        "instance",
        ["fiscal_year", "definition_id", "district_code"],
        unique=True,
        sqlite_where=sa.text(_ONE_PER_DISTRICT_WHERE),
        postgresql_where=sa.text(_ONE_PER_DISTRICT_WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_instance_one_per_district", table_name="instance")
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("withdrawn_at")
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "DELETE FROM area_target WHERE fiscal_year <> "
            "(SELECT max(fiscal_year) FROM area_target)"
        )
    )
    with op.batch_alter_table("area_target") as batch:
        batch.drop_constraint("pk_area_target", type_="primary")
        batch.create_primary_key("pk_area_target", ["list_name", "area_code"])
        batch.drop_column("fiscal_year")
