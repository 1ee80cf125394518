"""A date a person types, read the one way everywhere: the forms it takes, a BE year in
any form, spreadsheet cells that already hold dates, the messages for what is not a date,
the days a field takes (the fiscal year or the field's declared window), and dates that
stores written by earlier versions hold."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from plancycle.definitions import DefinitionError, load_catalog, load_definition_file
from plancycle.definitions.loader import DATA_DIR
from plancycle.definitions.model import DataField, DateWindow, Deadline, DeadlineKind
from plancycle.thai.dateinput import format_range, read_date, stored_date
from plancycle.thai.dates import ThaiDateError, parse_instant
from plancycle.thai.digits import to_thai_digits
from plancycle.thai.fiscal import BANGKOK, ce_to_be
from plancycle.thai.months import TH_MONTHS, TH_MONTHS_ABBR
from plancycle.workflow.datefields import allowed_dates, sample_date
from plancycle.workflow.errors import BadValue, DateOutOfRange
from plancycle.workflow.stepdata import coerce_step_data

JAN_20 = date(2025, 1, 20)
MEETING = DataField("meeting_date", "date", label=None)


# --- the forms a person types ------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "20 ม.ค. 68",
        "20 มค 68",
        "20 มกราคม 2568",
        "๒๐ มกราคม ๒๕๖๘",
        "๒๐ ม.ค. ๖๘",
        "20/01/2568",
        "20/1/68",
        "20-01-2568",
        "2025-01-20",
        "2568-01-20",  # a 4-digit year from 2400 is BE in ISO form too
        "๒๕๖๘-๐๑-๒๐",
        "20 January 2025",
    ],
)
def test_every_accepted_form_names_20_january_2025(typed: str) -> None:
    assert read_date(typed) == JAN_20


@pytest.mark.parametrize(
    "cell",
    [date(2025, 1, 20), datetime(2025, 1, 20), datetime(2025, 1, 19, 17, 30, tzinfo=UTC)],
)
def test_spreadsheet_cells_that_hold_dates_pass_through(cell: object) -> None:
    """openpyxl gives a date cell as a naive datetime; an aware one counts in Bangkok."""
    assert read_date(cell) == JAN_20


def test_an_iso_date_and_time_with_a_be_year_is_be_too() -> None:
    assert parse_instant("2568-01-20T10:00") == datetime(2025, 1, 20, 10, tzinfo=BANGKOK)
    assert parse_instant("2568-01-20") == datetime(2025, 1, 20, tzinfo=BANGKOK)
    with pytest.raises(ThaiDateError):  # 29 Feb of BE 2568 (CE 2025) does not exist
        parse_instant("2568-02-29T10:00")


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("31/02/2568", "day 31 does not exist in February 2025"),
        ("1/2/3", "it is not in any accepted form"),
        ("tomorrow", "it is not in any accepted form"),
        ("2568-13-01", "month 13 does not exist"),
    ],
)
def test_what_is_not_a_date_is_told_with_the_forms_and_an_example(typed: str, why: str) -> None:
    with pytest.raises(BadValue) as info:
        coerce_step_data([MEETING], {"meeting_date": typed}, fiscal_year=2568)
    error = info.value
    assert repr(typed) in error.en and repr(typed) in error.th  # what was typed
    assert why in error.en
    for text in (error.en, error.th):
        for form in ("20 ม.ค. 68", "20/01/2568", "2025-01-20", "2568-01-20"):
            assert form in text  # the accepted forms, each an example
    assert "is not a date" in error.en and "ไม่ใช่วันที่" in error.th


def test_a_number_is_not_a_date() -> None:
    with pytest.raises(ThaiDateError) as info:
        read_date(20250120)
    assert "expected text or a date, got int" in info.value.en


# --- format in each accepted form, read back -----------------------------------------

# 2-digit years are BE 2500-2599: CE 1957-2056
DAYS = st.dates(min_value=date(1957, 1, 1), max_value=date(2056, 12, 31))


def _forms(day: date) -> list[str]:
    be, month = ce_to_be(day.year), day.month
    return [
        f"{day.day} {TH_MONTHS[month - 1]} {be}",
        f"{day.day} {TH_MONTHS_ABBR[month - 1]} {be % 100:02d}",
        f"{day.day} {TH_MONTHS_ABBR[month - 1].replace('.', '')} {be}",
        f"วันที่ {day.day} {TH_MONTHS[month - 1]} พ.ศ. {be}",
        f"{day.day:02d}/{month:02d}/{be}",
        f"{day.day}/{month}/{be % 100:02d}",
        f"{day.day:02d}-{month:02d}-{be}",
        day.isoformat(),
        f"{be}-{month:02d}-{day.day:02d}",
    ]


@settings(max_examples=150, deadline=None, database=None)
@given(DAYS, st.integers(0, 8), st.booleans())
@example(date(2025, 1, 20), 8, False)
@example(date(2024, 2, 29), 0, True)
@example(date(1957, 1, 1), 1, False)
@example(date(2056, 12, 31), 5, True)
def test_each_form_read_back_gives_the_same_date(day: date, form: int, thai: bool) -> None:
    text = _forms(day)[form]
    typed = to_thai_digits(text) if thai else text
    assert read_date(typed) == day, typed


# --- the days a field takes ----------------------------------------------------------


def test_a_date_outside_the_fiscal_year_is_refused_naming_the_range() -> None:
    with pytest.raises(DateOutOfRange) as info:
        coerce_step_data([MEETING], {"meeting_date": "1999-01-01"}, fiscal_year=2568)
    error = info.value
    assert error.facts() == {
        "value": "1999-01-01",
        "allowed_from": "2024-10-01",
        "allowed_to": "2025-09-30",
        "fiscal_year": 2568,
        "window": False,
    }
    assert "1 ต.ค. 2567 – 30 ก.ย. 2568" in error.th and "ปีงบประมาณ 2568" in error.th
    assert "'1999-01-01'" in error.th and "1 ม.ค. 2542" in error.th
    assert "'1999-01-01' (1 Jan 2542 BE) is outside" in error.en
    assert "outside fiscal year 2568" in error.en
    assert "1 Oct 2567 – 30 Sep 2568 BE (1 Oct 2024 – 30 Sep 2025)" in error.en


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("1 ต.ค. 67", True), ("30 ก.ย. 68", True), ("30/09/2567", False), ("1/10/2568", False)],
)
def test_the_fiscal_year_bounds_are_inclusive(typed: str, ok: bool) -> None:
    given_data = {"meeting_date": typed}
    if ok:
        assert coerce_step_data([MEETING], given_data, fiscal_year=2568)["meeting_date"]
    else:
        with pytest.raises(DateOutOfRange):
            coerce_step_data([MEETING], given_data, fiscal_year=2568)


def test_2568_01_20_is_stored_as_2025_01_20() -> None:
    typed = coerce_step_data([MEETING], {"meeting_date": "2568-01-20"}, fiscal_year=2568)
    assert typed == {"meeting_date": "2025-01-20"}


Q2 = DataField(
    "meeting_date",
    "date",
    window=DateWindow(
        start=Deadline(DeadlineKind.QUARTER_START, quarter=2),
        end=Deadline(DeadlineKind.FY_DATE, month=3, day=15),
    ),
)


def test_a_declared_window_narrows_the_fiscal_year() -> None:
    days = allowed_dates(Q2, 2569)
    assert (days.first, days.last, days.declared) == (date(2026, 1, 1), date(2026, 3, 15), True)
    assert coerce_step_data([Q2], {"meeting_date": "1 ม.ค. 69"}, fiscal_year=2569)
    with pytest.raises(DateOutOfRange) as info:
        coerce_step_data([Q2], {"meeting_date": "16 มี.ค. 69"}, fiscal_year=2569)
    assert info.value.facts()["window"] is True
    assert "1 ม.ค. 2569 – 15 มี.ค. 2569" in info.value.th
    assert "ช่วงวันที่ขั้นนี้รับในปีงบประมาณ 2569" in info.value.th


def test_sample_dates_lie_in_the_range_of_any_year() -> None:
    assert sample_date(MEETING, 2568) == date(2025, 1, 15)
    assert sample_date(MEETING, 2570) == date(2027, 1, 15)
    late = DataField("d", "date", window=DateWindow(start=Deadline(DeadlineKind.MONTH_END, 5)))
    assert sample_date(late, 2568) == date(2025, 5, 31)


def test_format_range_in_both_languages() -> None:
    first, last = date(2024, 10, 1), date(2025, 9, 30)
    assert format_range(first, last) == "1 ต.ค. 2567 – 30 ก.ย. 2568"
    assert format_range(first, last, thai_digits=True) == "๑ ต.ค. ๒๕๖๗ – ๓๐ ก.ย. ๒๕๖๘"
    assert format_range(first, last, lang="en") == (
        "1 Oct 2567 – 30 Sep 2568 BE (1 Oct 2024 – 30 Sep 2025)"
    )


# --- what earlier versions stored ----------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "day"),
    [
        ("2025-01-20", JAN_20),
        ("2568-01-20", JAN_20),  # a BE year an earlier version stored as CE
        ("2568-02-29", None),  # CE 2568 is a leap year, BE 2568 (CE 2025) is not
        ("20 ม.ค. 68", None),
        (None, None),
        (20250120, None),
    ],
)
def test_stored_dates_are_read_as_meant_or_not_at_all(stored: object, day: date | None) -> None:
    assert stored_date(stored) == day


# --- the definitions' declaration ----------------------------------------------------

ROLES = load_catalog([DATA_DIR / "roles.yaml"]).roles
FIELD = """      - name: meeting_date
        type: date
"""


def _activity2_with(tmp_path: Path, lines: str, field: str = FIELD) -> Path:
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    assert field in text
    path = tmp_path / "activity2.yaml"
    path.write_text(text.replace(field, field + lines), encoding="utf-8")
    return path


def test_a_window_is_read_from_the_definition(tmp_path: Path) -> None:
    lines = '        window: {from: {quarter_start: 2}, to: {fy_date: "03-15"}}\n'
    definition = load_definition_file(_activity2_with(tmp_path, lines), ROLES)
    (meeting,) = [f for t in definition.transitions for f in t.data if f.name == "meeting_date"]
    assert meeting.window == Q2.window


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ("        window: {}\n", "window: give from and/or to"),
        ("        window: {from: {quarter_end: 3}, to: {quarter_start: 2}}\n", "is after to"),
        ("        window: {since: {quarter_start: 2}}\n", "unknown key 'since'"),
        ('        window: {from: {fy_date: "02-30"}}\n', "fy_date '02-30' is outside"),
        ("        window: {from: {after: workshop, days: 3}}\n", "unknown key 'after'"),
        ("        window: {to: {quarter_end: 2}}\n", None),
    ],
)
def test_a_wrong_window_is_refused_when_the_definitions_load(
    tmp_path: Path, lines: str, problem: str | None
) -> None:
    path = _activity2_with(tmp_path, lines)
    if problem is None:
        load_definition_file(path, ROLES)
        return
    with pytest.raises(DefinitionError) as info:
        load_definition_file(path, ROLES)
    messages = [p.message for p in info.value.problems]
    assert any(problem in m for m in messages), messages


def test_only_a_date_field_takes_a_window(tmp_path: Path) -> None:
    field = "      - name: participants\n        type: int\n"
    path = _activity2_with(tmp_path, "        window: {to: {quarter_end: 2}}\n", field)
    with pytest.raises(DefinitionError) as info:
        load_definition_file(path, ROLES)
    (problem,) = info.value.problems
    assert "only a date field takes a window; its type is int" in problem.message
    assert re.search(r"data field 'participants'", problem.message)
