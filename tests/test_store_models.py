"""Table shapes, defaults and the constraints the engine relies on, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

from plancycle.store import models
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Actor, Area, Cycle, Instance, TransitionRecord

NOW = datetime(2024, 12, 1, 3, tzinfo=UTC)


def test_tables_and_exports() -> None:
    assert set(models.__all__) >= {
        "Area",
        "AreaTarget",
        "Cycle",
        "Instance",
        "TransitionRecord",
        "Evidence",
        "Actor",
    }
    assert set(SQLModel.metadata.tables) >= {
        "area",
        "area_target",
        "cycle",
        "instance",
        "transition_record",
        "evidence",
        "actor",
    }
    instance = SQLModel.metadata.tables["instance"]
    composite = {tuple(c.name for c in ix.columns) for ix in instance.indexes}
    assert ("definition_id", "state") in composite
    assert ("fiscal_year", "definition_id", "province_code") in composite


def _cycle(s: Session) -> int:
    import_geothai(s, ["24"])
    cycle = Cycle(fiscal_year=2568, started_at=NOW, definitions={})
    s.add(cycle)
    s.flush()
    assert cycle.id is not None
    return cycle.id


def _instance(cycle_id: int, key: str = "2568/activity2/240101", area: str = "240101") -> Instance:
    return Instance(
        key=key,
        cycle_id=cycle_id,
        fiscal_year=2568,
        definition_id="activity2",
        definition_version=1,
        area_code=area,
        province_code="24",
        district_code="2401",
        state="planned",
        state_entered_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )


def _record(instance_id: int, seq: int) -> TransitionRecord:
    return TransitionRecord(
        instance_id=instance_id,
        seq=seq,
        at=NOW,
        actor_id="cd-2401",
        role="district_cd_office",
        trigger="go",
        from_state="a",
        to_state="b",
        prev_hash="0" * 64,
        hash=f"{seq:064d}",
    )


def test_defaults(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        inst = _instance(_cycle(s))
        s.add(inst)
        s.add(
            Actor(
                id="cd-2401",
                name="CD office 2401",
                role="district_cd_office",
                area_code="2401",
                created_at=NOW,
            )
        )
        s.flush()
        assert inst.id is not None
        s.add(_record(inst.id, 1))
    with Session(engine) as s:
        inst = s.exec(select(Instance)).one()
        assert (inst.version, inst.due_at, inst.completed_at) == (1, None, None)
        actor = s.get(Actor, "cd-2401")
        assert actor is not None and actor.active is True
        record = s.exec(select(TransitionRecord)).one()
        assert (record.data, record.evidence, record.automatic) == ({}, [], False)
        area = s.get(Area, "240101")
        assert area is not None and area.is_sample is False


def test_instance_key_is_unique(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        cycle_id = _cycle(s)
        s.add(_instance(cycle_id))
    with Session(engine) as s:
        s.add(_instance(cycle_id, area="240102"))  # same key, other area
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Instance)).one() == 1


def test_transition_seq_is_unique_per_instance(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        cycle_id = _cycle(s)
        first, second = _instance(cycle_id), _instance(cycle_id, "2568/activity2/240102", "240102")
        s.add_all([first, second])
        s.flush()
        one, two = first.id, second.id
        assert one is not None and two is not None
        s.add_all([_record(one, 1), _record(one, 2), _record(two, 1)])
    with Session(engine) as s:
        s.add(_record(one, 2))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()
    with Session(engine) as s:
        seqs = s.exec(
            select(TransitionRecord.instance_id, TransitionRecord.seq).order_by(
                TransitionRecord.instance_id, TransitionRecord.seq
            )
        ).all()
        assert [tuple(r) for r in seqs] == [(one, 1), (one, 2), (two, 1)]


def test_foreign_keys_are_enforced(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        cycle_id = _cycle(s)
    with Session(engine) as s:
        s.add(_instance(cycle_id, "2568/activity2/999999", area="999999"))
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()
    with Session(engine) as s:
        s.add(
            Area(
                code="999999",
                level="tambon",
                name_th="x",
                parent_code="9999",
                province_code="99",
                source="test",
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            s.commit()
