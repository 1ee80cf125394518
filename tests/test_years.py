"""The year people mean (workflow/years.py): the newest started cycle with work left,
else the newest started cycle, else the clock's fiscal year; an explicit year wins.
On SQLite and PostgreSQL, with the clock set by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.store.models import Area, Cycle, Instance
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.years import YearChoice, choose_year, cycle_years, default_year
from tests.world import bkk

# 2 Dec 2026 in Bangkok: fiscal year 2570
TODAY = ManualClock(bkk(2026, 12, 2, 10))
STARTED = datetime(2024, 10, 1, tzinfo=UTC)


def _cycle(db: sa.Engine, year: int, open_areas: int, done_areas: int) -> None:
    """A started cycle with some instances still open and some done."""
    with Session(db) as session, session.begin():
        if session.get(Area, "24") is None:
            session.add(
                Area(
                    code="24", level="province", name_th="ฉะเชิงเทรา", province_code="24", source="t"
                )
            )
        cycle = Cycle(fiscal_year=year, started_at=STARTED)
        session.add(cycle)
        session.flush()
        assert cycle.id is not None
        for n in range(open_areas + done_areas):
            session.add(
                Instance(
                    key=f"{year}/p{n}/24",
                    cycle_id=cycle.id,
                    fiscal_year=year,
                    definition_id=f"p{n}",
                    definition_version=1,
                    area_code="24",
                    province_code="24",
                    state="s",
                    state_entered_at=STARTED,
                    created_at=STARTED,
                    updated_at=STARTED,
                    completed_at=STARTED if n >= open_areas else None,
                )
            )


def _finish(db: sa.Engine, year: int) -> None:
    with Session(db) as session, session.begin():
        for inst in session.exec(select(Instance).where(Instance.fiscal_year == year)):
            inst.completed_at = STARTED


def test_no_cycle_means_the_clock_s_fiscal_year(engine: sa.Engine) -> None:
    assert cycle_years(engine) == ()
    assert default_year(engine, TODAY.now()) == 2570
    # 30 Sep 2569 23:59 in Bangkok is still FY2569; a minute later FY2570 begins
    assert default_year(engine, bkk(2026, 9, 30, 23, 59)) == 2569
    assert default_year(engine, bkk(2026, 10, 1, 0, 0)) == 2570


def test_the_newest_cycle_with_work_left_is_the_default(engine: sa.Engine) -> None:
    _cycle(engine, 2568, open_areas=2, done_areas=1)
    assert default_year(engine, TODAY.now()) == 2568  # not the clock's 2570
    _cycle(engine, 2569, open_areas=1, done_areas=0)
    assert cycle_years(engine) == (2569, 2568)
    assert default_year(engine, TODAY.now()) == 2569  # both open: the newer


def test_a_year_all_done_gives_way_to_an_older_one_still_open(engine: sa.Engine) -> None:
    _cycle(engine, 2568, open_areas=1, done_areas=0)
    _cycle(engine, 2569, open_areas=0, done_areas=3)
    assert default_year(engine, TODAY.now()) == 2568
    _finish(engine, 2568)
    # every cycle done: the newest started one, still not the clock's year
    assert default_year(engine, TODAY.now()) == 2569


def test_a_cycle_without_instances_counts_as_done(engine: sa.Engine) -> None:
    _cycle(engine, 2568, open_areas=1, done_areas=0)
    _cycle(engine, 2569, open_areas=0, done_areas=0)
    assert default_year(engine, TODAY.now()) == 2568


def test_an_explicit_year_always_wins(engine: sa.Engine) -> None:
    _cycle(engine, 2568, open_areas=1, done_areas=0)
    _cycle(engine, 2569, open_areas=1, done_areas=0)
    chosen = choose_year(engine, 2568, TODAY.now())
    assert chosen == YearChoice(2568, 2569, (2569, 2568), explicit=True)
    assert chosen.has_cycle and chosen.others == (2569,)
    missing = choose_year(engine, 2571, TODAY.now())
    assert missing.year == 2571 and not missing.has_cycle
    assert missing.others == (2569, 2568)
    assert missing.selectable == (2571, 2569, 2568)
    defaulted = choose_year(engine, None, TODAY.now())
    assert (defaulted.year, defaulted.explicit) == (2569, False)
