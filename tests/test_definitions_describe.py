"""Deadlines, ladders, sources and steps as people read them, in Thai and in English
(`definitions/describe.py`): labels, never codes, except the trigger one types."""

from __future__ import annotations

import pytest

from plancycle.definitions.describe import (
    deadline_text,
    ladder_text,
    source_text,
    step_text,
    wait_text,
)
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Deadline, DeadlineKind


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    ("deadline", "th", "en"),
    [
        (Deadline(DeadlineKind.FY_DATE, month=3, day=31), "31 มี.ค.", "31 Mar"),
        (Deadline(DeadlineKind.FY_DATE, month=12, day=25), "25 ธ.ค.", "25 Dec"),
        (Deadline(DeadlineKind.MONTH_END, month=2), "สิ้นเดือน ก.พ.", "end of Feb"),
        (Deadline(DeadlineKind.QUARTER_START, quarter=2), "ต้นไตรมาส 2", "start of Q2"),
        (Deadline(DeadlineKind.QUARTER_END, quarter=1), "สิ้นไตรมาส 1", "end of Q1"),
    ],
)
def test_deadlines_in_both_languages(catalog, deadline, th, en) -> None:
    d = catalog.get("activity2")
    assert deadline_text(deadline, d, "th") == th
    assert deadline_text(deadline, d, "en") == en


def test_a_deadline_after_a_step_names_the_step_by_its_label(catalog) -> None:
    d = catalog.get("activity2")
    after = Deadline(DeadlineKind.AFTER, after="workshop", days=7)
    label = d.state(after.after or "")
    assert deadline_text(after, d, "th") == f"{after.days} วันหลังขั้น “{label.label.th}”"
    assert deadline_text(after, d, "en") == f"{after.days} days after “{label.label.en}”"
    assert after.after not in deadline_text(after, d, "th")


def test_a_deadline_after_a_recorded_date_names_the_date_field(catalog) -> None:
    """Activity 2's BPM is due 7 days after the day the workshop was held (entered)."""
    d = catalog.get("activity2")
    bpm = d.state("bpm_record").due
    assert [(x.kind, x.after, x.date_field, x.days) for x in bpm] == [
        (DeadlineKind.AFTER, "workshop", "workshop_date", 7)
    ]
    assert deadline_text(bpm[0], d, "th") == "7 วันหลัง “วันที่จัดประชุมเชิงปฏิบัติการ”"
    assert deadline_text(bpm[0], d, "en") == "7 days after “Day the workshop was held”"


def test_a_waiting_state_is_told_with_the_deadline_of_the_step_it_blocks(catalog) -> None:
    d = catalog.get("activity3")
    wait = d.state("await_tambon_plan")
    assert wait_text(d, wait, "th").startswith("รอกระบวนการอื่น; ครบกำหนดตามขั้นที่รอ: สิ้นเดือน มิ.ย.")
    assert "due as the step it blocks: end of Jun" in wait_text(d, wait, "en")


def test_the_ladder_names_the_process_units_and_its_offsets(catalog) -> None:
    d = catalog.get("village_plan")  # the moi ladder: the governor hears at level 3
    roles = catalog.roles
    chief = roles[d.supervisor_role].label
    th = ladder_text(d, roles, "th")
    # the ladder's ``lead`` is whoever does the step at hand, not the process's lead
    assert th[0] == "ระดับ 0 เตือนล่วงหน้า 7 วันก่อนกำหนด → ผู้ทำขั้นตอนนั้น"
    assert th[1] == f"ระดับ 1 แจ้งเกินกำหนด เมื่อพ้นวันกำหนด → ผู้ทำขั้นตอนนั้น, {chief.th}"
    assert th[3].startswith("ระดับ 3 ยกระดับ 14 วันหลังกำหนด → ")
    assert roles["governor"].label.th in th[3]
    en = ladder_text(d, roles, "en")
    assert en[0] == "level 0 reminder 7 days before → the office doing the step"
    assert en[2].startswith("level 2 escalation 7 days late → ")
    for line in th:
        assert "lead" not in line and "supervisor" not in line and "cdd" not in line


def test_sources_are_worded_and_unknown_ones_kept() -> None:
    assert source_text("seed", "th") == "หนังสือจังหวัด"
    assert source_text("inferred", "th") == "อนุมาน"
    assert source_text("seed", "en") == "seed"
    assert source_text("other", "th") == "other"


def test_a_step_shows_its_trigger_to_type_and_labels_for_the_rest(catalog) -> None:
    d = catalog.get("activity2")
    t = d.transitions_from("coordinate")[0]
    line = step_text(t, d, catalog, "th")
    assert line.startswith(f"{t.label.th} [{t.trigger}] → {d.state(t.dest).label.th} (")
    assert catalog.roles[t.roles[0]].label.th in line
    assert t.roles[0] not in line


def test_an_automatic_step_names_what_it_waits_for(catalog) -> None:
    d = catalog.get("activity3")
    t = next(t for t in d.transitions if t.auto is not None)
    assert t.auto is not None
    other = catalog.get(t.auto.process)
    th = step_text(t, d, catalog, "th")
    assert f"อัตโนมัติเมื่อ{other.title.th}ทุกรายการถึงขั้น" in th
    assert other.state(t.auto.reached).label.th in th
    en = step_text(t, d, catalog, "en")
    assert f"automatic once every {other.title.en} has reached" in en
