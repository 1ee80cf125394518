"""Wording a :class:`Notice`: a short subject and a body, Thai first, then English.

Every kind of rung has its own sentence (window opened, reminder, overdue,
escalation), and so has the daily digest (:func:`render_digest`). Dates are Bangkok time
in the Buddhist Era: ``31 มี.ค. 68 23:59 น.`` in Thai, ``31 Mar 2568 23:59`` in English.
Every message names the area, the process and step, the deadline, the days left or late,
what to do, and the link to the instance's page (when ``PLANCYCLE_BASE_URL`` is set). An
escalation also says who hears of it next, and when, or that it is the last rung; an
opened window or a reminder is never called a rung.

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

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache

from plancycle.kinds import EscalationKind
from plancycle.notifier.notice import Notice
from plancycle.text import one_line
from plancycle.thai.dates import format_date, format_datetime
from plancycle.thai.fiscal import to_bangkok
from plancycle.workflow.audit import SEND_BACK_TRIGGER

__all__ = ["DIGEST_GROUPS", "KINDS", "SUBJECT_PREFIX", "digest_group", "render", "render_digest"]

SUBJECT_PREFIX = "[plancycle]"
#: The kinds of rung a notice can be about, in ladder order.
KINDS: tuple[EscalationKind, ...] = tuple(EscalationKind)

#: A notice's kind when a reviewer sent a step back (``workflow.review``).
SENT_BACK = SEND_BACK_TRIGGER
_TITLE_MAX = 32  # characters of a process title kept in a subject
_AREA_TH_PREFIX = {2: "จังหวัด", 4: "อำเภอ", 6: "ตำบล"}
_AREA_EN_LEVEL = {2: "province", 4: "district", 6: "tambon", 8: "village"}


def render(notice: Notice, link: str | None = None) -> tuple[str, str]:
    """The (subject, body) of ``notice``, with ``link`` to its instance's page when
    given; ValueError for an unknown kind."""
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
    todo_th, todo_en = _todo(notice)
    body_th = _paragraph(
        f"เรียน {notice.role_th}",
        what_th,
        *([notice.note_th] if notice.note_th else []),
        f"สิ่งที่ต้องทำ: {todo_th}",
        f"เลขอ้างอิง: {notice.key}",
        *_next_th(notice),
        *([f"เปิดดูและบันทึกผล: {link}"] if link else []),
    )
    body_en = _paragraph(
        f"To: {notice.role_en}",
        what_en,
        *([notice.note_en] if notice.note_en else []),
        f"What to do: {todo_en}",
        f"Reference: {notice.key}",
        *_next_en(notice),
        *([f"Open and record: {link}"] if link else []),
    )
    return subject, f"{body_th}\n\n{body_en}\n"


def _todo(n: Notice) -> tuple[str, str]:
    """What the recipient should do, by kind."""
    step_th, step_en = f"ขั้นตอน “{n.step_th}”", f"step “{n.step_en}”"
    if n.kind == EscalationKind.OPENED:
        return (
            f"เริ่มดำเนินการ{step_th} และบันทึกผลในระบบก่อนครบกำหนด",
            f"start {step_en} and record it before the deadline.",
        )
    if n.kind == EscalationKind.REMINDER:
        return (
            f"ดำเนินการ{step_th} ให้แล้วเสร็จ และบันทึกผลในระบบก่อนครบกำหนด",
            f"finish {step_en} and record it before the deadline.",
        )
    if n.kind == EscalationKind.OVERDUE:
        return (
            f"ดำเนินการ{step_th} ให้แล้วเสร็จ และบันทึกผลในระบบโดยเร็วที่สุด",
            f"finish {step_en} and record it as soon as possible.",
        )
    return (
        f"ติดตามให้{_area_th(n)} ดำเนินการ{step_th} ให้แล้วเสร็จโดยเร็ว",
        f"follow up with {_area_en(n)} so that {step_en} is done without delay.",
    )


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


def _next_th(n: Notice) -> list[str]:
    """Who hears next and when; that this is the last rung only for an escalation (an
    opened window or a reminder is not a rung of the escalation ladder)."""
    nxt = n.next_rung
    if nxt is None:
        if n.kind != EscalationKind.ESCALATION:
            return []
        return ["การแจ้งครั้งนี้เป็นขั้นสุดท้ายของการติดตาม จะไม่มีการแจ้งยกระดับต่อไปอีก"]
    who = " และ ".join(nxt.roles_th) or "ผู้รับในขั้นถัดไป"
    return [f"หากยังไม่ดำเนินการ จะแจ้ง{who} ในวันที่ {_th_time(nxt.at)} (ขั้นที่ {nxt.level})"]


def _next_en(n: Notice) -> list[str]:
    nxt = n.next_rung
    if nxt is None:
        if n.kind != EscalationKind.ESCALATION:
            return []
        return ["This is the last rung of the escalation ladder: no further notice will follow."]
    who = _join_en(nxt.roles_en) or "the next rung's recipients"
    return [
        f"If nothing is done, {who} will be notified on {_en_time(nxt.at)} (level {nxt.level})."
    ]


# --- the daily digest ---------------------------------------------------------

#: The digest's groups, most urgent first: (id, Thai, English, Thai to-do, English to-do).
DIGEST_GROUPS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "escalated",
        "ยกระดับแล้ว",
        "Escalated",
        "ติดตามให้พื้นที่ดำเนินการให้แล้วเสร็จโดยเร็ว",
        "follow up so that these are done without delay",
    ),
    (
        "overdue",
        "เกินกำหนด",
        "Overdue",
        "ดำเนินการให้แล้วเสร็จและบันทึกผลโดยเร็วที่สุด",
        "finish and record these as soon as possible",
    ),
    (
        "sent_back",
        "ส่งกลับแก้ไข",
        "Sent back",
        "แก้ไขตามความเห็นและบันทึกผลอีกครั้ง",
        "correct these as commented and record them again",
    ),
    (
        "due_soon",
        "ใกล้ครบกำหนด",
        "Due soon",
        "ดำเนินการให้แล้วเสร็จและบันทึกผลก่อนครบกำหนด",
        "finish and record these before the deadline",
    ),
    (
        "opened",
        "เปิดให้ดำเนินการ",
        "Windows opened",
        "เริ่มดำเนินการและบันทึกผลก่อนครบกำหนด",
        "start these and record them before the deadline",
    ),
)
_GROUP_RANK = {group[0]: rank for rank, group in enumerate(DIGEST_GROUPS)}


def digest_group(n: Notice, now: datetime) -> str:
    """Which group of the digest ``n`` is in at ``now``: an escalation stays escalated; a
    notice whose deadline has passed since it was written is overdue; a step sent back
    is its own group."""
    if n.kind == EscalationKind.ESCALATION:
        return "escalated"
    if n.kind == SENT_BACK:
        return "sent_back"
    if n.kind == EscalationKind.OVERDUE or (n.due_at is not None and now > n.due_at):
        return "overdue"
    return "due_soon" if n.kind == EscalationKind.REMINDER else "opened"


def render_digest(
    notices: Sequence[Notice],
    now: datetime,
    *,
    link: Callable[[str], str | None] = lambda key: None,
    inbox: str | None = None,
    max_chars: int | None = None,
    immediate: bool = False,
) -> tuple[str, str]:
    """The (subject, body) of one recipient's digest at ``now``: every notice once (the
    most urgent of several about the same step), grouped by urgency with counts, each with
    its area, process, step, deadline, days left or late, what it waits for, and
    ``link(key)``; the inbox link at the end. With ``max_chars`` (a LINE message holds
    5,000) the body keeps the most urgent items that fit and ends "and N more" with the
    inbox link. With ``immediate`` it is a sweep's bundle: the same list, said to be sent
    at once (``แจ้งทันที / Sent at once``) rather than the day's digest."""
    items = _digest_items(notices, now)
    counts = {g[0]: sum(1 for group, _ in items if group == g[0]) for g in DIGEST_GROUPS}
    day_th = format_date(to_bangkok(now).date(), "short", lang="th")
    day_en = format_date(to_bangkok(now).date(), "short", lang="en")
    shown = [g for g in DIGEST_GROUPS if counts[g[0]]]
    sum_th = ", ".join(f"{g[1]} {counts[g[0]]}" for g in shown)
    sum_en = ", ".join(f"{g[2].lower()} {counts[g[0]]}" for g in shown)
    total = len(items)
    first = shown[0] if shown else DIGEST_GROUPS[-1]
    title_th, title_en = ("แจ้งทันที", "Sent at once") if immediate else _DAILY
    subject = one_line(
        f"{SUBJECT_PREFIX} {title_th} {day_th}: {total} รายการ "
        f"({first[1]} {counts[first[0]]}) / {title_en} {day_en}: {_items(total)} "
        f"({first[2].lower()} {counts[first[0]]})"
    )
    roles_th = " / ".join(dict.fromkeys(n.role_th for _, n in items)) or "ผู้รับ"
    roles_en = " / ".join(dict.fromkeys(n.role_en for _, n in items)) or "recipient"
    if immediate:
        at_th, at_en = _th_time(now), _en_time(now)
        said_th = f"เรื่องที่ต้องแจ้งท่านทันที ณ {at_th}: {total} รายการ ({sum_th})"
        said_en = f"To tell you at once, as of {at_en}: {_items(total)} ({sum_en})"
    else:
        said_th = f"สรุปงานที่รอท่าน ณ วันที่ {day_th}: {total} รายการ ({sum_th})"
        said_en = f"Your work as of {day_en}: {_items(total)} ({sum_en})"
    head = _paragraph(f"เรียน {roles_th} / To: {roles_en}", said_th, said_en)
    if inbox:
        tail_all = f"ดูงานทั้งหมดที่รอท่าน / All your work: {inbox}"
    else:
        tail_all = "ดูงานทั้งหมดที่รอท่านได้ที่หน้างานของฉัน / All your work is in your inbox"
    blocks: list[tuple[str, str]] = []  # (group id, text)
    for group, n in items:
        blocks.append((group, _digest_line(n, now, link(n.key))))
    body = _fit_digest(head, blocks, counts, tail_all, inbox, max_chars)
    return subject, body


_DAILY = ("สรุปงานประจำวัน", "Daily digest")


def _digest_items(notices: Sequence[Notice], now: datetime) -> list[tuple[str, Notice]]:
    best: dict[tuple[str, str], tuple[str, Notice]] = {}
    for n in notices:
        group = digest_group(n, now)
        ref = (n.key, n.step_en)
        if ref not in best or _GROUP_RANK[group] < _GROUP_RANK[best[ref][0]]:
            best[ref] = (group, n)
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(
        best.values(),
        key=lambda item: (_GROUP_RANK[item[0]], item[1].due_at or far, item[1].key),
    )


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _status(n: Notice, now: datetime) -> tuple[str, str]:
    if n.due_at is None:
        return "ไม่มีกำหนดเวลา", "no deadline"
    local_due, local_now = to_bangkok(n.due_at).date(), to_bangkok(now).date()
    if now > n.due_at:
        late = max((local_now - local_due).days, 1)
        return f"เกินกำหนด {late} วัน", f"{_days(late)} late"
    left = (local_due - local_now).days
    if left <= 0:
        return "ครบกำหนดวันนี้", "due today"
    return f"เหลือ {left} วัน", f"{_days(left)} left"


def _digest_line(n: Notice, now: datetime, url: str | None) -> str:
    status_th, status_en = _status(n, now)
    due_th = due_en = ""
    if n.due_at is not None:
        due_th = f" · กำหนด {format_date(to_bangkok(n.due_at).date(), 'short', lang='th')}"
        due_en = f" · due {format_date(to_bangkok(n.due_at).date(), 'short', lang='en')}"
    code = n.area_code or "TH"
    lines = [
        f"{_area_th(n)} ({code}) · {_short(n.process_th)} · ขั้นตอน “{n.step_th}”{due_th} · "
        f"{status_th}",
        *([n.note_th] if n.note_th else []),
        f"{_area_en_short(n)} ({code}) · {_short(n.process_en)} · step “{n.step_en}”{due_en} · "
        f"{status_en}",
        *([n.note_en] if n.note_en else []),
        *([url] if url else []),
    ]
    return "\n".join(" ".join(line.split()) for line in lines)


def _group_head(group: str, count: int) -> str:
    _, th, en, todo_th, todo_en = DIGEST_GROUPS[_GROUP_RANK[group]]
    return f"■ {th} {count} รายการ: {todo_th}\n■ {en} ({count}): {todo_en}"


def _fit_digest(
    head: str,
    blocks: list[tuple[str, str]],
    counts: dict[str, int],
    tail_all: str,
    inbox: str | None,
    max_chars: int | None,
) -> str:
    """The body with as many item blocks (in order) as fit in ``max_chars``."""

    def build(kept: int) -> str:
        parts = [head]
        group = ""
        number = 0
        for g, text in blocks[:kept]:
            if g != group:
                group, number = g, 0
                parts.append(_group_head(g, counts[g]))
            number += 1
            parts.append(f"{number}. " + text.replace("\n", "\n   "))
        left = len(blocks) - kept
        if left:
            where = f": {inbox}" if inbox else ""
            parts.append(f"… และอีก {left} รายการ / and {left} more{where}")
        else:
            parts.append(tail_all)
        return "\n\n".join(parts) + "\n"

    body = build(len(blocks))
    if max_chars is None or len(body) <= max_chars:
        return body
    kept = len(blocks)
    while kept > 0 and len(body) > max_chars:
        kept -= 1
        body = build(kept)
    return body if len(body) <= max_chars else body[: max_chars - 1] + "…"
