"""Definitions told to people, in Thai and in English: deadlines, windows, ladder rungs,
source tags and escalation kinds. Every shell that shows a definition words it here.

Codes appear only where a person types them (a trigger for ``advance``, a state for
``--state``); everything else is a label: states, roles, the ladder's ``lead`` and
``supervisor`` (the process's own units).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from plancycle.definitions.guards import GUARDS
from plancycle.definitions.model import (
    Catalog,
    Deadline,
    DeadlineKind,
    Definition,
    GuardRef,
    GuardSeverity,
    LadderRung,
    Role,
    State,
    Text,
    Transition,
    required,
)
from plancycle.kinds import DayCount, EscalationKind
from plancycle.thai.months import month_name

__all__ = [
    "KIND_LABELS",
    "SOURCE_LABELS",
    "deadline_text",
    "guard_text",
    "kpi_text",
    "tagged_deadline_text",
    "ladder_text",
    "role_text",
    "rung_text",
    "source_text",
    "step_text",
    "wait_text",
]

SOURCE_LABELS: Mapping[str, Text] = {
    "seed": Text("หนังสือจังหวัด", "seed"),
    "inferred": Text("อนุมาน", "inferred"),
    "public": Text("ข้อมูลสาธารณะ", "public"),
}
"""Where a step comes from: the province's letter, inferred from it, or public sources."""

KIND_LABELS: Mapping[EscalationKind, Text] = {
    EscalationKind.OPENED: Text("เปิดช่วงดำเนินการ", "window opened"),
    EscalationKind.REMINDER: Text("เตือนล่วงหน้า", "reminder"),
    EscalationKind.OVERDUE: Text("แจ้งเกินกำหนด", "overdue notice"),
    EscalationKind.ESCALATION: Text("ยกระดับ", "escalation"),
}


def kpi_text(definition: Definition, lang: str) -> str | None:
    """The definition's KPI as people read it: the indicator's words, its target and how it
    is counted (None when it has none)."""
    kpi = definition.kpi
    if kpi is None:
        return None
    th = lang == "th"
    head = "ตัวชี้วัด" if th else "KPI"
    target = f"{'เป้าหมาย' if th else 'target'} {kpi.target_percent:g} %"
    basis = f"; {'นับจาก' if th else 'counted as'}: {kpi.basis.pick(lang)}" if kpi.basis else ""
    return f"{head}: {kpi.label.pick(lang)} ({target}{basis})"


def source_text(source: str, lang: str) -> str:
    label = SOURCE_LABELS.get(source)
    return label.pick(lang) if label else source


def _state_label(definition: Definition, state: str, lang: str) -> str:
    if definition.has_state(state):
        return definition.state(state).label.pick(lang)
    return state


def deadline_text(deadline: Deadline, definition: Definition, lang: str) -> str:
    """E.g. ``31 มี.ค.`` / ``31 Mar``, ``ต้นไตรมาส 2`` / ``start of Q2``, ``7 วันหลังขั้น “…”``
    (the step by its label), ``7 วันทำการหลัง…`` for working days; a ``roll`` adds
    ``(ตรงวันหยุดเลื่อนเป็นวันทำการถัดไป)`` / ``(a day off moves to the next working day)``."""
    text = _deadline_day_text(deadline, definition, lang)
    if deadline.roll is not None:
        text += (
            " (ตรงวันหยุดเลื่อนเป็นวันทำการถัดไป)"
            if lang == "th"
            else " (a day off moves to the next working day)"
        )
    return text


def _deadline_day_text(deadline: Deadline, definition: Definition, lang: str) -> str:
    th = lang == "th"
    if deadline.kind == DeadlineKind.FY_DATE:
        month = month_name(required(deadline.month, "month"), lang=lang, short=True)
        return f"{deadline.day} {month}"
    if deadline.kind == DeadlineKind.MONTH_END:
        month = month_name(required(deadline.month, "month"), lang=lang, short=True)
        return f"สิ้นเดือน {month}" if th else f"end of {month}"
    if deadline.kind == DeadlineKind.QUARTER_END:
        return f"สิ้นไตรมาส {deadline.quarter}" if th else f"end of Q{deadline.quarter}"
    if deadline.kind == DeadlineKind.QUARTER_START:
        return f"ต้นไตรมาส {deadline.quarter}" if th else f"start of Q{deadline.quarter}"
    after = required(deadline.after, "after")
    working = deadline.count == DayCount.WORKING
    unit = ("วันทำการ" if working else "วัน") if th else ("working days" if working else "days")
    if deadline.date_field is not None:
        name = _field_label(definition, after, deadline.date_field, lang)
        return (
            f"{deadline.days} {unit}หลัง “{name}”"
            if th
            else f"{deadline.days} {unit} after “{name}”"
        )
    step = _state_label(definition, after, lang)
    return (
        f"{deadline.days} {unit}หลังขั้น “{step}”" if th else f"{deadline.days} {unit} after “{step}”"
    )


def _field_label(definition: Definition, state: str, name: str, lang: str) -> str:
    """The label of the data field ``name`` recorded on leaving ``state``."""
    for t in definition.transitions_from(state):
        for f in t.data:
            if f.name == name and f.label is not None:
                return f.label.pick(lang)
    return name


def wait_text(definition: Definition, state: State, lang: str) -> str:
    """What a waiting state is due by: the deadlines of the steps it blocks, e.g.
    ``รอกระบวนการอื่น; ครบกำหนดตามขั้นที่รอ: สิ้นเดือน มิ.ย. (ประชุม…)``."""
    th = lang == "th"
    head = "รอกระบวนการอื่น" if th else "waiting on other processes"
    firsts = [s for s in definition.blocked_steps(state.id) if s.due][:1]
    if not firsts:
        return head
    step = firsts[0]
    due = ", ".join(deadline_text(d, definition, lang) for d in step.due)
    label = step.label.pick(lang)
    if th:
        return f"{head}; ครบกำหนดตามขั้นที่รอ: {due} (“{label}”)"
    return f"{head}; due as the step it blocks: {due} (“{label}”)"


def tagged_deadline_text(deadline: Deadline, definition: Definition, lang: str) -> str:
    """A deadline with where its day comes from: ``31 มี.ค. (หนังสือจังหวัด)`` /
    ``31 Mar (seed)``; an untagged one is told as it is."""
    text = deadline_text(deadline, definition, lang)
    return f"{text} ({source_text(deadline.source, lang)})" if deadline.source else text


def guard_text(guard: GuardRef, lang: str) -> str:
    """A rule of a step: what it checks, where it comes from and what it does when it
    fails, e.g. ``ไม่เกินวงเงินจัดสรร (อนุมาน; บันทึกและรายงาน ไม่ปฏิเสธ)``."""
    what = GUARDS[guard.name].description.pick(lang)
    for name, value in guard.params.items():  # "at least min participants" -> "... 20 ..."
        what = re.sub(
            rf"\b{re.escape(name)}\b", f"{value:,}" if isinstance(value, int) else str(value), what
        )
    warn = guard.severity == GuardSeverity.WARN
    if lang == "th":
        does = "บันทึกและรายงาน ไม่ปฏิเสธ" if warn else "ไม่ผ่านจะปฏิเสธ"
    else:
        does = "recorded and reported, not refused" if warn else "refused when not met"
    return f"{what} ({source_text(guard.source, lang)}; {does})"


def role_text(code: str, definition: Definition, roles: Mapping[str, Role], lang: str) -> str:
    """A role's label; the ladder's ``lead`` / ``supervisor`` are the process's own units."""
    actual = {"lead": definition.lead_role, "supervisor": definition.supervisor_role}.get(
        code, code
    )
    role = roles.get(actual)
    return role.label.pick(lang) if role else actual


# The ladder's ``lead``: the office that does the step the instance is at.
_DOER = Text("ผู้ทำขั้นตอนนั้น", "the office doing the step")


def _offset(days: int, lang: str, count: DayCount = DayCount.CALENDAR) -> str:
    working = count == DayCount.WORKING
    th_unit, en_unit = ("วันทำการ", "working days") if working else ("วัน", "days")
    if days == 0:
        return "เมื่อพ้นวันกำหนด" if lang == "th" else "after the deadline day"
    if days < 0:
        return f"{-days} {th_unit}ก่อนกำหนด" if lang == "th" else f"{-days} {en_unit} before"
    return f"{days} {th_unit}หลังกำหนด" if lang == "th" else f"{days} {en_unit} late"


def rung_text(
    rung: LadderRung, definition: Definition, roles: Mapping[str, Role], lang: str
) -> str:
    """E.g. ``ระดับ 0 เตือนล่วงหน้า 7 วันก่อนกำหนด → สำนักงานพัฒนาชุมชนอำเภอ (…)``."""
    level = f"ระดับ {rung.level}" if lang == "th" else f"level {rung.level}"
    told = ", ".join(
        _DOER.pick(lang) if code == "lead" else role_text(code, definition, roles, lang)
        for code in rung.notify
    )
    kind = KIND_LABELS[rung.kind].pick(lang)
    return f"{level} {kind} {_offset(rung.offset_days, lang, rung.count)} → {told}"


def ladder_text(definition: Definition, roles: Mapping[str, Role], lang: str) -> list[str]:
    """The definition's ladder, one line per rung."""
    return [rung_text(g, definition, roles, lang) for g in definition.ladder]


def step_text(t: Transition, definition: Definition, catalog: Catalog, lang: str) -> str:
    """A step one may do: its label and the trigger to type, where it leads, who does it,
    and, for an automatic one, what it waits for."""
    th = lang == "th"
    dest = _state_label(definition, t.dest, lang)
    who = ", ".join(role_text(r, definition, catalog.roles, lang) for r in t.roles)
    line = f"{t.label.pick(lang)} [{t.trigger}] → {dest} ({who})"
    if t.auto is None:
        return line
    other = catalog.get(t.auto.process)
    title, reached = other.title.pick(lang), _state_label(other, t.auto.reached, lang)
    if th:
        return f"{line} อัตโนมัติเมื่อ{title}ทุกรายการถึงขั้น{reached}"
    return f"{line}, automatic once every {title} has reached {reached}"
