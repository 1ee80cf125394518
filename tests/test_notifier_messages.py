"""Wording notices: Thai then English, BE dates in Bangkok time, one wording per kind."""

from __future__ import annotations

import dataclasses
import doctest
from datetime import UTC, datetime
from typing import Any

import pytest

from plancycle.notifier import messages
from plancycle.notifier.messages import KINDS, render, render_digest
from plancycle.notifier.notice import NextRung, Notice

DUE = datetime(2025, 3, 31, 16, 59, tzinfo=UTC)  # 31 Mar 2025 23:59 Bangkok = 31 มี.ค. 68
NEXT_AT = datetime(2025, 4, 7, 16, 59, tzinfo=UTC)  # 7 เม.ย. 68 23:59
NEXT = NextRung(
    2,
    NEXT_AT,
    ("สำนักงานพัฒนาชุมชนจังหวัด", "นายอำเภอ"),
    ("Provincial CD office", "District chief"),
)
NOW_BY_KIND = {
    "opened": datetime(2025, 3, 1, 2, tzinfo=UTC),  # 30 Bangkok days before the deadline day
    "reminder": datetime(2025, 3, 24, 2, tzinfo=UTC),  # 7 days before
    "overdue": datetime(2025, 4, 3, 2, tzinfo=UTC),  # 3 days late
    "escalation": datetime(2025, 4, 14, 2, tzinfo=UTC),  # 14 days late
}
LATE_BY_KIND = {"opened": 0, "reminder": 0, "overdue": 3, "escalation": 14}


def make_notice(**changes: Any) -> Notice:
    """An overdue notice for tambon Na Mueang (240101), changed as asked."""
    base = Notice(
        key="2568/activity2/240101",
        kind="overdue",
        level=1,
        area_code="240101",
        area_name_th="หน้าเมือง",
        area_name_en="Na Mueang",
        process_th="กิจกรรมที่ ๒ ประชุมเชิงปฏิบัติการจัดทำแผนพัฒนาตำบล",
        process_en="Activity 2: tambon development plan workshop",
        step_th="จัดประชุมเชิงปฏิบัติการ",
        step_en="Workshop",
        due_at=DUE,
        now=NOW_BY_KIND["overdue"],
        days_late=3,
        role="district_cd_office",
        role_th="สำนักงานพัฒนาชุมชนอำเภอ",
        role_en="District CD office",
        next_rung=NEXT,
    )
    return dataclasses.replace(base, **changes)


def notice_of(kind: str, **changes: Any) -> Notice:
    level = {"opened": -1, "reminder": 0, "overdue": 1, "escalation": 3}[kind]
    defaults = {"now": NOW_BY_KIND[kind], "days_late": LATE_BY_KIND[kind]}
    return make_notice(kind=kind, level=level, **{**defaults, **changes})


def split(notice: Notice) -> tuple[str, str, str, str]:
    """(subject Thai half, subject English half, Thai paragraph, English paragraph)."""
    subject, body = render(notice)
    th_subject, en_subject = subject.split(" / ")
    th_body, en_body = body.strip().split("\n\n")
    return th_subject, en_subject, th_body, en_body


def test_overdue_subject_reads_like_the_example() -> None:
    subject, _ = render(make_notice())
    assert subject == (
        "[plancycle] เกินกำหนด 3 วัน: กิจกรรมที่ ๒ … ตำบลหน้าเมือง (240101) / "
        "Overdue 3 days: Activity 2: tambon development … Na Mueang (240101)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_thai_then_english_with_be_dates(kind: str) -> None:
    th_subject, en_subject, th, en = split(notice_of(kind))
    assert th_subject.startswith("[plancycle] ")
    assert "ตำบลหน้าเมือง (240101)" in th_subject
    assert "Na Mueang (240101)" in en_subject
    # Thai paragraph: Thai words, BE date with the Thai short month, Bangkok time
    assert "ตำบลหน้าเมือง" in th and "240101" in th
    assert "กิจกรรมที่ ๒ ประชุมเชิงปฏิบัติการจัดทำแผนพัฒนาตำบล" in th
    assert "“จัดประชุมเชิงปฏิบัติการ”" in th
    assert "31 มี.ค. 68 23:59 น." in th
    assert "เลขอ้างอิง: 2568/activity2/240101" in th
    assert "เรียน สำนักงานพัฒนาชุมชนอำเภอ" in th
    # English paragraph: no Thai script, BE year with the English month
    assert not any("\u0e00" <= ch <= "\u0e7f" for ch in en)
    assert "Na Mueang (tambon 240101)" in en
    assert "Activity 2: tambon development plan workshop" in en
    assert "“Workshop”" in en
    assert "31 Mar 2568 23:59 (Bangkok time)" in en
    assert "Reference: 2568/activity2/240101" in en
    assert "16:59" not in th + en  # the UTC clock time never shows


def test_each_kind_is_worded_differently() -> None:
    subjects = {kind: split(notice_of(kind)) for kind in KINDS}
    assert len({s[0] for s in subjects.values()}) == 4
    assert len({s[1] for s in subjects.values()}) == 4
    assert len({s[3].splitlines()[1] for s in subjects.values()}) == 4


def test_opened_says_the_window_opened_and_how_long_is_left() -> None:
    th_subject, en_subject, th, en = split(notice_of("opened"))
    assert "เปิดให้ดำเนินการ" in th_subject
    assert "Window opened" in en_subject
    assert "เปิดให้ดำเนินการขั้นตอน" in th and "เหลือเวลาอีก 30 วัน" in th
    assert "has opened" in en and "It is due in 30 days, by 31 Mar 2568 23:59" in en
    assert "overdue" not in en.lower()


def test_reminder_counts_bangkok_days_left() -> None:
    th_subject, en_subject, th, en = split(notice_of("reminder"))
    assert "ใกล้ครบกำหนด อีก 7 วัน" in th_subject
    assert "Due in 7 days" in en_subject
    assert "เหลือเวลาอีก 7 วัน" in th
    assert en.splitlines()[1].startswith("Reminder: step")
    assert "It is due in 7 days" in en


def test_reminder_on_the_deadline_day_says_today() -> None:
    # 31 Mar 08:00 Bangkok: the same calendar day as the 23:59 deadline
    notice = notice_of("reminder", now=datetime(2025, 3, 31, 1, tzinfo=UTC))
    th_subject, en_subject, th, en = split(notice)
    assert "ครบกำหนดวันนี้" in th_subject and "Due today" in en_subject
    assert "It is due today" in en


def test_overdue_counts_days_late_and_one_day_is_singular() -> None:
    _, en_subject, th, en = split(notice_of("overdue"))
    assert "เกินกำหนด 3 วัน" in th and "overdue 3 days" in en
    _, en_subject, _, en = split(notice_of("overdue", days_late=1))
    assert "Overdue 1 day:" in en_subject and "overdue 1 day." in en


def test_escalation_names_the_level_and_the_recipient() -> None:
    th_subject, en_subject, th, en = split(notice_of("escalation", role_en="CDD", role_th="กรมฯ"))
    assert th_subject.startswith("[plancycle] ยกระดับ เกินกำหนด 14 วัน")
    assert en_subject.startswith("Escalated, overdue 14 days")
    assert "แจ้งยกระดับถึงกรมฯ (ขั้นที่ 3)" in th
    assert "Escalated to the CDD (level 3)" in en


def test_next_rung_is_named_with_its_date() -> None:
    _, _, th, en = split(make_notice())
    assert "จะแจ้งสำนักงานพัฒนาชุมชนจังหวัด และ นายอำเภอ ในวันที่ 7 เม.ย. 68 23:59 น." in th
    assert "Provincial CD office and District chief will be notified on 7 Apr 2568 23:59" in en


def test_last_rung_says_so() -> None:
    _, _, th, en = split(notice_of("escalation", next_rung=None))
    assert "ขั้นสุดท้าย" in th and "จะไม่มีการแจ้งยกระดับต่อไปอีก" in th
    assert "This is the last rung of the escalation ladder" in en
    assert "will be notified" not in en


def test_no_deadline_is_said_not_invented() -> None:
    _, _, th, en = split(notice_of("opened", due_at=None, next_rung=None))
    assert "ไม่มีกำหนดเวลา" in th and "There is no deadline." in en
    assert "2568" not in en.replace("2568/activity2", "")
    assert "68" not in th.replace("2568/activity2", "")


def test_district_area_gets_its_level_word_once() -> None:
    notice = make_notice(area_code="2401", area_name_th="เมืองฉะเชิงเทรา", area_name_en="Mueang")
    th_subject, _, _, en = split(notice)
    assert "อำเภอเมืองฉะเชิงเทรา (2401)" in th_subject
    assert "Mueang (district 2401)" in en
    already = make_notice(area_name_th="ตำบลหน้าเมือง")
    assert "ตำบลตำบล" not in render(already)[0]


def test_short_titles_are_kept_whole() -> None:
    subject, _ = render(make_notice(process_th="แผนตำบล", process_en="Tambon plan"))
    assert ": แผนตำบล ตำบลหน้าเมือง" in subject and ": Tambon plan Na Mueang" in subject
    assert "…" not in subject


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notice kind 'late'"):
        render(make_notice(kind="late"))


def test_module_examples_run() -> None:
    result = doctest.testmod(messages)
    assert result.attempted > 0 and result.failed == 0


# --- what to do, links, the last rung only for escalations, the digest ----------

LINK = "https://plan.example.go.th/instances/2568/activity2/240101"
TODO = {
    "opened": ("เริ่มดำเนินการขั้นตอน “จัดประชุมเชิงปฏิบัติการ”", "start step “Workshop”"),
    "reminder": ("ก่อนครบกำหนด", "before the deadline"),
    "overdue": ("โดยเร็วที่สุด", "as soon as possible"),
    "escalation": ("ติดตามให้ตำบลหน้าเมือง", "follow up with Na Mueang (tambon 240101)"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_says_what_to_do_and_links_its_page(kind: str) -> None:
    subject, body = render(notice_of(kind), LINK)
    th, en = body.strip().split("\n\n")
    todo_th, todo_en = TODO[kind]
    assert "สิ่งที่ต้องทำ:" in th and todo_th in th
    assert "What to do:" in en and todo_en in en
    assert f"เปิดดูและบันทึกผล: {LINK}" in th and f"Open and record: {LINK}" in en
    assert LINK not in subject


@pytest.mark.parametrize("kind", ["opened", "reminder", "overdue"])
def test_only_an_escalation_is_ever_called_the_last_rung(kind: str) -> None:
    _, _, th, en = split(notice_of(kind, next_rung=None))
    assert "ขั้นสุดท้าย" not in th and "last rung" not in en


def _digest_notices() -> list[Notice]:
    return [
        notice_of("opened"),
        notice_of("reminder", key="2568/activity2/240102", area_code="240102"),
        notice_of("overdue", key="2568/activity2/240103", area_code="240103"),
        notice_of("escalation", key="2568/activity2/240104", area_code="240104"),
        notice_of("overdue", key="2568/activity2/240104", area_code="240104"),  # same step
    ]


def test_digest_groups_by_urgency_with_counts_thai_first() -> None:
    now = datetime(2025, 4, 14, 1, 30, tzinfo=UTC)  # Monday 08:30 Bangkok
    subject, body = render_digest(
        _digest_notices(),
        now,
        link=lambda key: f"https://plan.example.go.th/instances/{key}",
        inbox="https://plan.example.go.th/inbox",
    )
    assert subject.startswith("[plancycle] สรุปงานประจำวัน 14 เม.ย. 68: 4 รายการ")
    assert "/ Daily digest 14 Apr 2568: 4 items" in subject
    # by 14 April every deadline (31 March) has passed: one escalated, three overdue
    assert "(ยกระดับแล้ว 1, เกินกำหนด 3)" in body and "(escalated 1, overdue 3)" in body
    assert body.index("■ ยกระดับแล้ว 1 รายการ") < body.index("■ เกินกำหนด 3 รายการ")
    assert body.index("■ Escalated (1)") < body.index("■ Overdue (3)")
    assert "เกินกำหนด 14 วัน" in body and "14 days late" in body
    for key in ("240101", "240102", "240103", "240104"):
        assert f"https://plan.example.go.th/instances/2568/activity2/{key}" in body
    assert body.count("/instances/2568/activity2/240104") == 1  # the most urgent only
    assert body.rstrip().endswith("https://plan.example.go.th/inbox")
    first = body.index("ตำบลหน้าเมือง (240101)")
    assert first < body.index("Na Mueang (240101)")  # Thai, then English


def test_digest_before_the_deadline_counts_days_left_and_says_no_rung() -> None:
    now = datetime(2025, 3, 24, 1, 30, tzinfo=UTC)
    _, body = render_digest(_digest_notices()[:2], now)
    assert "ใกล้ครบกำหนด 1 รายการ" in body and "เปิดให้ดำเนินการ 1 รายการ" in body
    assert "เหลือ 7 วัน" in body and "7 days left" in body
    assert "ขั้นสุดท้าย" not in body and "http" not in body


def test_digest_fits_a_line_message_with_and_n_more() -> None:
    many = [
        notice_of("overdue", key=f"2568/activity2/24{i:04d}", area_code=f"24{i:04d}")
        for i in range(200)
    ]
    now = datetime(2025, 4, 14, 1, 30, tzinfo=UTC)
    inbox = "https://plan.example.go.th/inbox"
    _, whole = render_digest(many, now, inbox=inbox)
    _, cut = render_digest(many, now, inbox=inbox, max_chars=5000)
    assert len(whole) > 5000 >= len(cut)
    shown = cut.count("Activity 2:")
    assert 0 < shown < 200 and f"และอีก {200 - shown} รายการ / and {200 - shown} more" in cut
    assert cut.rstrip().endswith(inbox) and "เกินกำหนด 200 รายการ" in cut
