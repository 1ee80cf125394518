"""``json_true`` reads a JSON member as Python's ``is True`` does, on SQLite and
PostgreSQL: the JSON value true counts; the text "true", the number 1, false and a missing
member do not. And the KPI counts come grouped per area under the one asked about, never
one row per instance."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.store.models import Instance
from plancycle.thai.areacode import child_length
from plancycle.workflow.kpi import kpi_counts
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.sql_json import json_true
from tests.world import CATALOG, populate


def test_only_the_json_value_true_is_true(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    table = sa.Table(
        "json_probe", meta, sa.Column("n", sa.Integer, primary_key=True), sa.Column("d", sa.JSON)
    )
    meta.create_all(engine)
    try:
        values = [{"usable": True}, {"usable": "true"}, {"usable": 1}, {"usable": False}, {}]
        with engine.begin() as connection:
            connection.execute(table.insert(), [{"n": i, "d": v} for i, v in enumerate(values)])
            found = connection.execute(
                sa.select(table.c.n).where(json_true(table.c.d, "usable")).order_by(table.c.n)
            ).scalars()
            assert list(found) == [0]
            # a member name that must be quoted in a JSON path
            connection.execute(table.insert(), [{"n": 9, "d": {"plan usable.x": True}}])
            quoted = connection.execute(
                sa.select(table.c.n).where(json_true(table.c.d, "plan usable.x"))
            ).scalars()
            assert list(quoted) == [9]
    finally:
        meta.drop_all(engine)


def test_kpis_come_one_group_per_area_under_the_one_asked(engine: sa.Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = populate(engine, tmp_path)
    for code in ("", "24", "2401"):
        area = AreaFilter.of(code)
        with Session(world.db) as session:
            tambons = session.exec(
                select(Instance.area_code).where(
                    Instance.definition_id == "activity2", *area.clauses()
                )
            ).all()
        length = child_length(code)
        a2 = [k for k in kpi_counts(world.db, CATALOG, 2568, area) if k.process == "activity2"]
        assert sorted(k.area_code for k in a2) == sorted({t[:length] for t in tambons})
        assert sum(k.counted for k in a2) == len(tambons)  # every instance in one group
