"""Who acts next, as SQL, agrees with the instance view: one instance in every state of
every definition version, and for every role the instances ``acting_clause`` finds are
exactly those whose :meth:`InstanceView.allowed` is not empty, and ``waiting_clause``
those whose :meth:`InstanceView.must_act` names an office and whose ``allowed`` is empty.
Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Text
from plancycle.store.models import Area, Cycle, Instance
from plancycle.workflow.acting import acting_clause, waiting_clause
from plancycle.workflow.views import InstanceView, Who
from tests.world import CATALOG

NOW = datetime(2025, 1, 15, tzinfo=UTC)


def _one_per_state(db: sa.Engine) -> dict[str, InstanceView]:
    views: dict[str, InstanceView] = {}
    with Session(db, expire_on_commit=False) as session, session.begin():
        session.add(
            Area(
                code="24", level="province", name_th="ฉะเชิงเทรา", province_code="24", source="test"
            )
        )
        cycle = Cycle(fiscal_year=2568, started_at=NOW)
        session.add(cycle)
        session.flush()
        for definition in CATALOG.all():
            for state in definition.states:
                key = f"2568/{definition.id}.v{definition.version}/{state.id}"
                inst = Instance(
                    key=key,
                    cycle_id=cycle.id or 0,
                    fiscal_year=2568,
                    definition_id=definition.id,
                    definition_version=definition.version,
                    area_code="24",
                    province_code="24",
                    state=state.id,
                    state_entered_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                )
                session.add(inst)
                views[key] = InstanceView(
                    inst, definition, CATALOG, Text("", ""), [], [], {}, {}, None, NOW
                )
    return views


def _found(db: sa.Engine, clause: sa.ColumnElement[bool]) -> set[str]:
    with Session(db) as session:
        return set(session.exec(select(col(Instance.key)).where(clause)).all())


def test_the_sql_rule_agrees_with_the_instance_view_on_every_state(engine: sa.Engine) -> None:
    views = _one_per_state(engine)
    assert len(views) > 40  # every state of every definition version
    acting_somewhere = set()
    for role in CATALOG.roles:
        who = Who(role, None)
        # a step it may do, or record on behalf of the role that performs it
        may = {k for k, v in views.items() if v.allowed(who) or v.on_behalf(who)}
        waits = {k for k, v in views.items() if v.must_act() and k not in may}
        assert _found(engine, acting_clause(CATALOG, role)) == may, role
        assert _found(engine, waiting_clause(CATALOG, role)) == waits, role
        assert not may & waits
        acting_somewhere |= may
    # the rule is not vacuous: offices act in many states, none in a final one
    finals = {k for k, v in views.items() if v.definition.state(v.inst.state).final}
    assert finals and not acting_somewhere & finals
    assert len(acting_somewhere) > 30
    # the district CD office records the chief's signature on the KBT order on his behalf
    sign = "2568/tambon_plan.v1/sign_kbt_order"
    assert sign in _found(engine, acting_clause(CATALOG, "district_cd_office"))
    assert sign not in _found(engine, waiting_clause(CATALOG, "district_cd_office"))
    assert sign in _found(engine, waiting_clause(CATALOG, "kbt"))


def test_a_district_office_acts_where_the_definition_names_it() -> None:
    activity2 = CATALOG.get("activity2")
    sql = str(
        acting_clause(CATALOG, "district_cd_office").compile(compile_kwargs={"literal_binds": True})
    )
    assert "'activity2'" in sql and "'coordinate'" in sql
    assert "'done'" not in sql  # no step leaves a final state
    assert [t.trigger for t in activity2.transitions_from("coordinate")] == ["meeting_set"]
    nobody = str(acting_clause(CATALOG, "no_such_role").compile())
    assert nobody in ("false", "0 = 1")
