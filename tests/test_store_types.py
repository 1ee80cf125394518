"""UTCDateTime and JSON columns behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Cycle, Evidence, Instance, TransitionRecord
from plancycle.store.types import UTCDateTime

BKK = timezone(timedelta(hours=7))
SHA = "ab" * 32


def _evidence(at: datetime) -> Evidence:
    return Evidence(
        sha256=SHA, file_name="scan.pdf", media_type="application/pdf", size=10, stored_at=at
    )


def test_aware_time_round_trips_as_aware_utc(engine: sa.Engine) -> None:
    at = datetime(2025, 3, 31, 23, 59, 59, 123456, tzinfo=BKK)
    with Session(engine) as s, s.begin():
        s.add(_evidence(at))
    with Session(engine) as s:
        got = s.exec(select(Evidence.stored_at)).one()
    assert got == at
    assert got.tzinfo is UTC
    assert (got.hour, got.minute, got.microsecond) == (16, 59, 123456)


def test_time_is_stored_as_utc(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add(_evidence(datetime(2025, 1, 1, 6, 30, tzinfo=BKK)))
    with engine.connect() as c:
        if engine.dialect.name == "postgresql":
            raw = c.exec_driver_sql("SELECT stored_at AT TIME ZONE 'UTC' FROM evidence").scalar()
            assert raw == datetime(2024, 12, 31, 23, 30)
        else:
            raw = c.exec_driver_sql("SELECT stored_at FROM evidence").scalar()
            assert raw == "2024-12-31 23:30:00.000000"


def test_naive_time_is_refused_and_nothing_written(engine: sa.Engine) -> None:
    with Session(engine) as s:
        s.add(_evidence(datetime(2025, 1, 1, 9, 0)))
        with pytest.raises(sa.exc.StatementError) as info:
            s.flush()
        assert isinstance(info.value.orig, ValueError)
        assert "naive datetime 2025-01-01T09:00:00 refused" in str(info.value.orig)
    with Session(engine) as s:
        assert s.exec(select(Evidence)).all() == []


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_bind_rules_per_dialect(dialect: sa.Dialect) -> None:
    kind = UTCDateTime()
    with pytest.raises(ValueError, match="naive datetime"):
        kind.process_bind_param(datetime(2025, 1, 1), dialect)
    with pytest.raises(TypeError, match="takes a datetime"):
        kind.process_bind_param("2025-01-01", dialect)
    bound = kind.process_bind_param(datetime(2025, 1, 1, 7, tzinfo=BKK), dialect)
    assert bound is not None
    assert bound.replace(tzinfo=None) == datetime(2025, 1, 1, 0, 0)
    assert (bound.tzinfo is None) == (dialect.name == "sqlite")
    assert kind.process_bind_param(None, dialect) is None


def _instance(key: str, due: datetime | None, cycle_id: int, now: datetime) -> Instance:
    return Instance(
        key=key,
        cycle_id=cycle_id,
        fiscal_year=2568,
        definition_id="activity2",
        definition_version=1,
        area_code="240101",
        province_code="24",
        district_code="2401",
        state="s",
        due_at=due,
        state_entered_at=now,
        created_at=now,
        updated_at=now,
    )


def test_comparisons_across_time_zones(engine: sa.Engine) -> None:
    """Due times written in different zones compare as instants (the sweep's query)."""
    now = datetime(2025, 3, 1, tzinfo=UTC)
    due = {
        "a": datetime(2025, 3, 31, 23, 59, tzinfo=BKK),  # 16:59 UTC
        "b": datetime(2025, 3, 31, 17, 30, tzinfo=UTC),
        "c": datetime(2025, 4, 1, 0, 10, tzinfo=BKK),  # 17:10 UTC
        "d": None,
    }
    with Session(engine) as s, s.begin():
        import_geothai(s, ["24"])
        cycle = Cycle(fiscal_year=2568, started_at=now, definitions={"activity2": 1})
        s.add(cycle)
        s.flush()
        assert cycle.id is not None
        s.add_all(_instance(k, d, cycle.id, now) for k, d in due.items())
    cutoff = datetime(2025, 4, 1, 0, 5, tzinfo=BKK)  # 17:05 UTC
    with Session(engine) as s:
        late = s.exec(select(Instance.key).where(col(Instance.due_at) < cutoff)).all()
        ordered = s.exec(
            select(Instance.key)
            .where(col(Instance.due_at).is_not(None))
            .order_by(col(Instance.due_at))
        ).all()
    assert sorted(late) == ["a"]
    assert list(ordered) == ["a", "c", "b"]


def test_json_round_trip(engine: sa.Engine) -> None:
    now = datetime(2024, 11, 27, 2, tzinfo=UTC)
    data = {"participants": 25, "note": "ตำบลเข้มแข็ง", "items": [1, 2.5, None, {"ok": True}]}
    with Session(engine) as s, s.begin():
        import_geothai(s, ["24"])
        cycle = Cycle(fiscal_year=2568, started_at=now, definitions={"activity2": 3, "tambon": 1})
        s.add(cycle)
        s.flush()
        assert cycle.id is not None
        inst = _instance("2568/activity2/240101", None, cycle.id, now)
        s.add(inst)
        s.flush()
        assert inst.id is not None
        s.add(
            TransitionRecord(
                instance_id=inst.id,
                seq=1,
                at=now,
                actor_id="cd-2401",
                role="district_cd_office",
                trigger="t",
                from_state="a",
                to_state="b",
                data=data,
                evidence=[SHA],
                prev_hash="0" * 64,
                hash="1" * 64,
            )
        )
    with Session(engine) as s:
        record = s.exec(select(TransitionRecord)).one()
        assert record.data == data
        assert record.evidence == [SHA]
        assert record.automatic is False
        assert record.note is None
        assert s.exec(select(Cycle.definitions)).one() == {"activity2": 3, "tambon": 1}
