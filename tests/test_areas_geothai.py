"""Provinces, districts and tambons from geothai, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import geothai
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.store.area_rows import ImportCounts
from plancycle.store.areas import area_counts, children, district_count, get_area
from plancycle.store.errors import AreaError
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Area


def test_chachoengsao(session: Session) -> None:
    counts = import_geothai(session, ["24"])
    session.commit()
    assert (counts.provinces, counts.districts, counts.tambons) == (1, 11, 93)
    assert (counts.villages, counts.updated, counts.added) == (0, 0, 105)
    assert vars(counts) == {
        "provinces": 1,
        "districts": 11,
        "tambons": 93,
        "villages": 0,
        "updated": 0,
    }
    assert area_counts(session, "24") == {"province": 1, "district": 11, "tambon": 93, "village": 0}
    assert district_count(session, "24") == 11
    tambon = get_area(session, "240101")
    assert tambon is not None
    assert (tambon.level, tambon.name_th, tambon.name_en) == ("tambon", "หน้าเมือง", "Na Mueang")
    assert (tambon.parent_code, tambon.province_code, tambon.is_sample) == ("2401", "24", False)
    assert tambon.source == f"geothai 3.2.1 (data {geothai.DATA_VERSION})"
    district = get_area(session, "2401")
    assert district is not None and district.parent_code == "24"
    province = get_area(session, "24")
    assert province is not None and province.parent_code is None
    assert [a.code for a in children(session, "24")] == [f"24{i:02d}" for i in range(1, 12)]
    assert len(children(session, "2401")) == len(geothai.subdistricts("2401")) == 19


def test_second_run_adds_nothing(session: Session) -> None:
    import_geothai(session, ["24"])
    session.commit()
    assert import_geothai(session, ["24"]) == ImportCounts()
    session.commit()
    assert area_counts(session)["tambon"] == 93


def test_changed_names_are_updated(session: Session) -> None:
    import_geothai(session, ["24"])
    session.exec(sa.update(Area).where(col(Area.code) == "240101").values(name_th="ผิด"))
    session.commit()
    counts = import_geothai(session, ["24"])
    session.commit()
    assert (counts.added, counts.updated) == (0, 1)
    session.expire_all()
    assert get_area(session, "240101").name_th == "หน้าเมือง"  # type: ignore[union-attr]


def test_thai_digits_and_progress(session: Session) -> None:
    calls: list[tuple[int, int]] = []
    counts = import_geothai(session, ["๒๔"], progress=lambda d, t: calls.append((d, t)))
    assert counts.tambons == 93
    assert calls[-1] == (105, 105)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert get_area(session, "๒๔๐๑") is not None


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["10"], "Bangkok (province 10) is outside the planning cycle"),
        (["24", "99", "๙๘"], "Unknown province code(s): 98, 99"),
    ],
)
def test_refused_provinces_write_nothing(session: Session, codes: list[str], message: str) -> None:
    with pytest.raises(AreaError) as info:
        import_geothai(session, codes)
    assert message in info.value.en
    assert info.value.th != info.value.en
    assert session.exec(select(func.count()).select_from(Area)).one() == 0


@pytest.mark.timed  # a wall-clock bound: make test runs it alone
def test_whole_nation(engine: sa.Engine) -> None:
    with Session(engine) as s:
        started = time.perf_counter()
        counts = import_geothai(s)
        s.commit()
        elapsed = time.perf_counter() - started
        assert (counts.provinces, counts.districts, counts.tambons) == (76, 878, 7256)
        assert area_counts(s) == {"province": 76, "district": 878, "tambon": 7256, "village": 0}
        assert get_area(s, "10") is None
        assert (
            s.exec(select(func.count()).select_from(Area).where(Area.province_code == "10")).one()
            == 0
        )
        orphans = s.exec(
            select(func.count())
            .select_from(Area)
            .where(Area.level != "province", col(Area.parent_code).is_(None))
        ).one()
        assert orphans == 0
        assert import_geothai(s) == ImportCounts()
        s.commit()
    if engine.dialect.name == "sqlite":
        assert elapsed < 3.0, f"nation import took {elapsed:.2f} s"
