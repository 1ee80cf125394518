"""Wording a :class:`Notice`: a short subject and a body, Thai first, then English.

Every kind of rung has its own sentence (window opened, reminder, overdue,
escalation). Dates are Bangkok time in the Buddhist Era: ``31 มี.ค. 68 23:59 น.`` in
Thai, ``31 Mar 2568 23:59`` in English. The body also names the instance key and
who hears of it next, and when (or that this is the last rung).

>>> from datetime import UTC, datetime
>>> n = Notice(key="2568/activity2/240101", kind="overdue", level=1, area_code="240101",
...     area_name_th="หน้าเมือง", area_name_en="Na Mueang", process_th="กิจกรรมที่ ๒",
...     process_en="Activity 2", step_th="ประชุม", step_en="Workshop",
...     due_at=datetime(2025, 3, 31, 16, 59, tzinfo=UTC),
...     now=datetime(2025, 4, 3, 2, tzinfo=UTC), days_late=3, role="district_chief",
...     role_th="นายอำเภอ", role_en="District chief")
>>> render(n)[0]
'[plancycle] เกินกำหนด 3 วัน: กิจกรรมที่ ๒ ตำบลหน้าเมือง (240101) / Overdue 3 days: Activity 2 Na Mueang (240101)'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from plancycle.kinds import EscalationKind
from plancycle.notifier.notice import NextRung, Notice
from plancycle.text import one_line
from plancycle.thai.dates import format_datetime
from plancycle.thai.fiscal import to_bangkok

__all__ = ["KINDS", "SUBJECT_PREFIX", "render"]

SUBJECT_PREFIX = "[plancycle]"
#: The kinds of rung a notice can be about, in ladder order.
KINDS: tuple[EscalationKind, ...] = tuple(EscalationKind)

_TITLE_MAX = 32  # characters of a process title kept in a subject
_AREA_TH_PREFIX = {2: "จังหวัด", 4: "อำเภอ", 6: "ตำบล"}
_AREA_EN_LEVEL = {2: "province", 4: "district", 6: "tambon", 8: "village"}


def render(notice: Notice) -> tuple[str, str]:
    """The (subject, body) of ``notice``; ValueError for an unknown kind."""
    if notice.kind not in _WORDERS:
        raise ValueError(
            f"unknown notice kind {notice.kind!r}; use one of {', '.join(KINDS)} | "
            f"ไม่รู้จักชนิดการแจ้ง {notice.kind!r}; ใช้ {', '.join(KINDS)}"
        )
    subject_th, subject_en, what_th, what_en = _WORDERS[notice.kind](notice)
    subject = one_line(
        f"{SUBJECT_PREFIX} {subject_th}: {_short(notice.process_th)} {_area_th(notice)} "
        f"({notice.area_code or 'TH'}) / {subject_en}: {_short(notice.process_en)} "
        f"{_area_en_short(notice)} ({notice.area_code or 'TH'})"
    )
    body_th = _paragraph(
        f"เรียน {notice.role_th}",
        what_th,
        *([notice.note_th] if notice.note_th else []),
        f"เลขอ้างอิง: {notice.key}",
        _next_th(notice.next_rung),
    )
    body_en = _paragraph(
        f"To: {notice.role_en}",
        what_en,
        *([notice.note_en] if notice.note_en else []),
        f"Reference: {notice.key}",
        _next_en(notice.next_rung),
    )
    return subject, f"{body_th}\n\n{body_en}\n"


# --- one function per kind: (subject_th, subject_en, sentence_th, sentence_en) ------


def _opened(n: Notice) -> tuple[str, str, str, str]:
    left = _days_left(n)
    return (
        "เปิดให้ดำเนินการ",
        "Window opened",
        f"เปิดให้ดำเนินการขั้นตอน “{n.step_th}” ของ{n.process_th} ใน{_area_th(n)} "
        f"(รหัส {n.area_code}) แล้ว {_due_th(n, left)}",
        f"The window for step “{n.step_en}” of {n.process_en} in {_area_en(n)} has opened. "
        f"{_due_en(n, left)}",
    )


def _reminder(n: Notice) -> tuple[str, str, str, str]:
    left = _days_left(n)
    if left is None:
        when_th, when_en = "ยังไม่แล้วเสร็จ", "Not done yet"
    elif left == 0:
        when_th, when_en = "ครบกำหนดวันนี้", "Due today"
    else:
        when_th, when_en = f"ใกล้ครบกำหนด อีก {left} วัน", f"Due in {_days(left)}"
    return (
        when_th,
        when_en,
        f"ขั้นตอน “{n.step_th}” ของ{n.process_th} ใน{_area_th(n)} (รหัส {n.area_code}) "
        f"ยังไม่แล้วเสร็จ {_due_th(n, left)}",
        f"Reminder: step “{n.step_en}” of {n.process_en} in {_area_en(n)} is not done yet. "
        f"{_due_en(n, left)}",
    )


def _overdue(n: Notice) -> tuple[str, str, str, str]:
    late_th, late_en = _late(n)
    return (
        late_th,
        late_en,
        f"ขั้นตอน “{n.step_th}” ของ{n.process_th} ใน{_area_th(n)} (รหัส {n.area_code}) "
        f"ยังไม่แล้วเสร็จ และ{late_th} {_was_due_th(n)}",
        f"Step “{n.step_en}” of {n.process_en} in {_area_en(n)} is not done: "
        f"{late_en.lower()}. {_was_due_en(n)}",
    )


def _escalation(n: Notice) -> tuple[str, str, str, str]:
    late_th, late_en = _late(n)
    return (
        f"ยกระดับ {late_th}",
        f"Escalated, {late_en.lower()}",
        f"แจ้งยกระดับถึง{n.role_th} (ขั้นที่ {n.level}): ขั้นตอน “{n.step_th}” ของ{n.process_th} "
        f"ใน{_area_th(n)} (รหัส {n.area_code}) ยังไม่ได้ดำเนินการ และ{late_th} {_was_due_th(n)}",
        f"Escalated to the {n.role_en} (level {n.level}): step “{n.step_en}” of "
        f"{n.process_en} in {_area_en(n)} is still not done: {late_en.lower()}. "
        f"{_was_due_en(n)}",
    )


_WORDERS: dict[str, Callable[[Notice], tuple[str, str, str, str]]] = {
    EscalationKind.OPENED: _opened,
    EscalationKind.REMINDER: _reminder,
    EscalationKind.OVERDUE: _overdue,
    EscalationKind.ESCALATION: _escalation,
}


# --- pieces ------------------------------------------------------------------


def _paragraph(*lines: str) -> str:
    """The lines, each with single spaces, as one block (no blank line inside)."""
    return "\n".join(" ".join(line.split()) for line in lines)


def _short(title: str) -> str:
    """A title cut at a space to at most ``_TITLE_MAX`` characters, with an ellipsis."""
    if len(title) <= _TITLE_MAX:
        return title
    cut = title.rfind(" ", 0, _TITLE_MAX + 1)
    head = title[:cut] if cut > 0 else title[:_TITLE_MAX]
    return f"{head.rstrip(' :,;-')} …"


def _area_th(n: Notice) -> str:
    """``ตำบลหน้าเมือง``: the Thai name with its level word (unless already there)."""
    if not n.area_code:
        return "ทั่วประเทศ"
    if n.area_name_th == n.area_code:
        return f"พื้นที่ {n.area_code}"
    prefix = _AREA_TH_PREFIX.get(len(n.area_code), "")
    return n.area_name_th if n.area_name_th.startswith(prefix) else prefix + n.area_name_th


def _area_en_short(n: Notice) -> str:
    if not n.area_code:
        return "nation-wide"
    return "area" if n.area_name_en == n.area_code else n.area_name_en


def _area_en(n: Notice) -> str:
    """``Na Mueang (tambon 240101)``."""
    if not n.area_code:
        return "the whole country"
    level = _AREA_EN_LEVEL.get(len(n.area_code), "area")
    if n.area_name_en == n.area_code:
        return f"{level} {n.area_code}"
    return f"{n.area_name_en} ({level} {n.area_code})"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _days_left(n: Notice) -> int | None:
    """Whole Bangkok calendar days from ``now`` to the deadline day (None: no deadline)."""
    if n.due_at is None:
        return None
    return max((to_bangkok(n.due_at).date() - to_bangkok(n.now).date()).days, 0)


def _late(n: Notice) -> tuple[str, str]:
    if n.days_late <= 0:
        return "ถึงกำหนดแล้ว", "Deadline reached"
    return f"เกินกำหนด {n.days_late} วัน", f"Overdue {_days(n.days_late)}"


# Every notice of a step shares its deadline and next-rung instants: a sweep that words
# thousands of notices formats only a handful of instants. Equal instants in different
# time zones are equal keys, which is right: both are read in Bangkok.
@lru_cache(maxsize=1024)
def _th_time(at: datetime) -> str:
    return f"{format_datetime(at, lang='th')} น."


@lru_cache(maxsize=1024)
def _en_time(at: datetime) -> str:
    return f"{format_datetime(at, lang='en')} (Bangkok time)"


def _due_th(n: Notice, left: int | None) -> str:
    if n.due_at is None or left is None:
        return "(ไม่มีกำหนดเวลา)"
    when = "ครบกำหนดวันนี้" if left == 0 else f"เหลือเวลาอีก {left} วัน"
    return f"กำหนดเสร็จภายใน {_th_time(n.due_at)} ({when})"


def _due_en(n: Notice, left: int | None) -> str:
    if n.due_at is None or left is None:
        return "There is no deadline."
    when = "today" if left == 0 else f"in {_days(left)}"
    return f"It is due {when}, by {_en_time(n.due_at)}."


def _was_due_th(n: Notice) -> str:
    return "" if n.due_at is None else f"(กำหนดเสร็จ {_th_time(n.due_at)})"


def _was_due_en(n: Notice) -> str:
    return "" if n.due_at is None else f"It was due by {_en_time(n.due_at)}."


def _join_en(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _next_th(nxt: NextRung | None) -> str:
    if nxt is None:
        return "การแจ้งครั้งนี้เป็นขั้นสุดท้ายของการติดตาม จะไม่มีการแจ้งยกระดับต่อไปอีก"
    who = " และ ".join(nxt.roles_th) or "ผู้รับในขั้นถัดไป"
    return f"หากยังไม่ดำเนินการ จะแจ้ง{who} ในวันที่ {_th_time(nxt.at)} (ขั้นที่ {nxt.level})"


def _next_en(nxt: NextRung | None) -> str:
    if nxt is None:
        return "This is the last rung of the escalation ladder: no further notice will follow."
    who = _join_en(nxt.roles_en) or "the next rung's recipients"
    return f"If nothing is done, {who} will be notified on {_en_time(nxt.at)} (level {nxt.level})."
