"""Target lists (Activity 2 tambons, Activity 3 strong tambons) and code files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from plancycle.store.areas import district_count, get_area
from plancycle.store.errors import AreaError
from plancycle.store.geothai_import import import_geothai
from plancycle.store.targets import (
    ACTIVITY2,
    STRONG_TAMBON,
    activity2_targets,
    default_strong_tambons,
    designate_strong_tambon,
    read_codes_file,
    set_target_list,
    strong_tambons,
    target_codes,
)


@pytest.fixture
def store(session: Session) -> Session:
    """Chachoengsao (24) and Samut Prakan (11) from geothai."""
    import_geothai(session, ["24", "11"])
    session.commit()
    return session


def test_set_target_list_replaces(store: Session) -> None:
    assert set_target_list(store, 2568, ACTIVITY2, ["240102", "๒๔๐๑๐๑", "240102", " "]).kept == 2
    store.commit()
    assert target_codes(store, 2568, ACTIVITY2) == ["240101", "240102"]
    assert set_target_list(store, 2568, ACTIVITY2, ["240201"]).kept == 1
    store.commit()
    assert target_codes(store, 2568, ACTIVITY2) == ["240201"]
    assert target_codes(store, 2568, "other") == []


def test_unknown_codes_are_refused_and_nothing_changes(store: Session) -> None:
    set_target_list(store, 2568, ACTIVITY2, ["240101"])
    store.commit()
    with pytest.raises(AreaError) as info:
        set_target_list(store, 2568, ACTIVITY2, ["240102", "249999", "2401", "24010101"])
    store.rollback()
    assert "3 code(s) are not tambons in the store: 2401 (district), 24010101, 249999" in (
        info.value.en
    )
    assert "249999" in info.value.th
    assert target_codes(store, 2568, ACTIVITY2) == ["240101"]


def test_activity2_targets_default_to_every_tambon(store: Session) -> None:
    every = activity2_targets(store, 2568)
    assert len(every) == 93 + len(activity2_targets(store, 2568, "11"))
    assert len(activity2_targets(store, 2568, "24")) == 93
    assert all(code.startswith("24") for code in activity2_targets(store, 2568, "24"))


def test_activity2_targets_follow_the_imported_list(store: Session) -> None:
    set_target_list(store, 2568, ACTIVITY2, ["240101", "240204"])
    assert activity2_targets(store, 2568) == ["240101", "240204"]
    assert activity2_targets(store, 2568, "24") == ["240101", "240204"]
    assert activity2_targets(store, 2568, "11") == []  # the list exists; province 11 has none in it


def test_strong_tambon_one_per_district(store: Session) -> None:
    assert designate_strong_tambon(store, 2568, "240101") is None
    assert designate_strong_tambon(store, 2568, "240201") is None  # another district
    assert designate_strong_tambon(store, 2568, "๒๔๐๑๐๒") == "240101"  # replaces 2401's
    assert designate_strong_tambon(store, 2568, "240102") is None  # already it
    store.commit()
    assert strong_tambons(store, 2568) == ["240102", "240201"]
    assert strong_tambons(store, 2568, "11") == []


def test_strong_tambon_must_be_a_tambon(store: Session) -> None:
    with pytest.raises(AreaError, match=r"2401 \(district\)"):
        designate_strong_tambon(store, 2568, "2401")
    with pytest.raises(AreaError, match="999999"):
        designate_strong_tambon(store, 2568, "999999")
    assert strong_tambons(store, 2568) == []


def test_strong_list_refuses_two_in_a_district(store: Session) -> None:
    with pytest.raises(AreaError, match="2401: 240101, 240102"):
        set_target_list(store, 2568, STRONG_TAMBON, ["240101", "240102", "240201"])
    assert set_target_list(store, 2568, STRONG_TAMBON, ["240101", "240201"]).kept == 2


def test_default_strong_tambons(store: Session) -> None:
    designate_strong_tambon(store, 2568, "240103")
    assert default_strong_tambons(store, 2568, "24") == 10
    chosen = strong_tambons(store, 2568, "24")
    assert len(chosen) == district_count(store, "24") == 11
    districts = [get_area(store, c).parent_code for c in chosen]  # type: ignore[union-attr]
    assert len(set(districts)) == 11
    assert "240103" in chosen and "240101" not in chosen  # the choice made stays
    assert "240201" in chosen  # first tambon by code
    assert strong_tambons(store, 2568, "11") == []
    assert default_strong_tambons(store, 2568, "24") == 0
    assert default_strong_tambons(store, 2568) == district_count(store, "11")


# ------------------------------------------------------------ code files


def test_read_codes_one_per_line(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text(
        "# Activity 2 targets\n240101\n\n  ๒๔๐๑๐๒  \n240103  # Bang Tin Pet\n240101\n",
        encoding="utf-8",
    )
    assert read_codes_file(path) == ["240101", "240102", "240103"]


def test_read_codes_csv(tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text("\ufeffname,Code\nหน้าเมือง,240101\n# comment\nท่าไข่,๒๔๐๑๐๒\n", encoding="utf-8")
    assert read_codes_file(path) == ["240101", "240102"]


def test_read_codes_refuses_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("240101\n24O102\n12345\n", encoding="utf-8")
    with pytest.raises(AreaError) as info:
        read_codes_file(path)
    assert "line 2: '24O102', line 3: '12345'" in info.value.en


def test_read_codes_csv_needs_code_column(tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text("tambon,name\n240101,หน้าเมือง\n", encoding="utf-8")
    with pytest.raises(AreaError, match="'code' column"):
        read_codes_file(path)


def test_read_codes_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# nothing yet\n\n", encoding="utf-8")
    assert read_codes_file(path) == []
