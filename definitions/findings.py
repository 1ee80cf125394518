"""Findings about the letter that `definitions check` reports beside the budget ones:
the letter's own contradictions of dates, and roles it names that neither do a step nor
are declared informed only.

Like :func:`~plancycle.definitions.budget.budget_findings`, these are not load errors:
the definitions keep what the letter says, and the finding keeps the conflict visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from plancycle.definitions.describe import deadline_text, source_text
from plancycle.definitions.model import Catalog, Deadline, DeadlineKind, Definition, required
from plancycle.thai.fiscal import fy_date, month_end, quarter_range
from plancycle.thai.months import month_name

__all__ = ["SAMPLE_FY", "deadline_findings", "fixed_day", "role_findings"]

SAMPLE_FY = 2568
"""The fiscal year the letter is about; the days of a finding are told in it."""


def fixed_day(spec: Deadline, fiscal_year: int) -> date | None:
    """The day a calendar deadline names in ``fiscal_year`` (None for "N days after")."""
    if spec.kind == DeadlineKind.FY_DATE:
        return fy_date(fiscal_year, required(spec.month, "month"), required(spec.day, "day"))
    if spec.kind == DeadlineKind.MONTH_END:
        return month_end(fiscal_year, required(spec.month, "month"))
    if spec.kind == DeadlineKind.QUARTER_END:
        return quarter_range(fiscal_year, required(spec.quarter, "quarter"))[1]
    if spec.kind == DeadlineKind.QUARTER_START:
        return quarter_range(fiscal_year, required(spec.quarter, "quarter"))[0]
    return None


def _earliest(specs: tuple[Deadline, ...], fiscal_year: int) -> tuple[Deadline, date] | None:
    days = [(s, d) for s in specs if (d := fixed_day(s, fiscal_year)) is not None]
    return min(days, key=lambda pair: pair[1]) if days else None


def _day_text(day: date, lang: str) -> str:
    year = day.year + 543
    return f"{day.day} {month_name(day.month, lang=lang, short=True)} {year}"


def _spec_text(spec: Deadline, day: date, defn: Definition, lang: str) -> str:
    text = deadline_text(spec, defn, lang)
    exact = _day_text(day, lang)
    shown = exact if exact.startswith(text) else f"{text}, {exact}"
    tag = source_text(spec.source, lang) if spec.source else None
    return f"{shown} ({tag})" if tag else shown


def _contradictions(defn: Definition, fy: int) -> Iterator[tuple[str, str, Deadline, date, str]]:
    """(earlier step, later step, its deadline, ...) where a step is due before the step
    that must precede it may end: (before_state, after_state) and their deadlines."""
    for step in defn.transitions:
        later = _earliest(defn.state(step.dest).due, fy)
        if later is None:
            continue
        for src in step.sources:
            before = _earliest(defn.state(src).due, fy)
            if before is not None and later[1] < before[1]:
                yield src, step.dest, later[0], later[1], step.trigger


def deadline_findings(
    defn: Definition, lang: str = "en", fiscal_year: int = SAMPLE_FY
) -> list[str]:
    """Every step due before the step that leads to it may end, in ``lang``.

    Activity 1: the lesson learned is due 27 Dec 2567, while the workshop it is learned
    from may run to the end of Q1, 31 Dec 2567."""
    th = lang == "th"
    out: list[str] = []
    for src, dest, spec, day, _trigger in _contradictions(defn, fiscal_year):
        before = _earliest(defn.state(src).due, fiscal_year)
        if before is None:  # pragma: no cover - _contradictions found one
            continue
        a = defn.state(src).label.pick(lang)
        b = defn.state(dest).label.pick(lang)
        due_b = _spec_text(spec, day, defn, lang)
        due_a = _spec_text(before[0], before[1], defn, lang)
        out.append(
            f"ขั้น “{b}” ครบกำหนด {due_b} ก่อนที่ขั้น “{a}” ซึ่งต้องทำก่อน "
            f"จะครบกำหนด ({due_a}): หนังสือขัดกันเอง ใช้กำหนดตามหนังสือไว้ และแจ้งจังหวัดเพื่อยืนยัน"
            if th
            else f"step “{b}” is due {due_b}, before step “{a}”, which comes first, "
            f"may end ({due_a}): the letter contradicts itself; its dates are kept, "
            "ask the province to confirm"
        )
    return out


def role_findings(catalog: Catalog, lang: str = "en") -> list[str]:
    """Roles of ``roles.yaml`` that no step of any process names and that are not
    declared ``informed_only`` (system roles aside): nobody could act as them."""
    acting = {code for d in catalog.latest() for t in d.transitions for code in t.roles}
    out: list[str] = []
    for code, role in catalog.roles.items():
        if role.informed_only or code in acting:
            continue
        label = role.label.pick(lang)
        out.append(
            f"บทบาท “{label}” [{code}] ไม่มีขั้นตอนที่ทำได้และไม่ได้ระบุว่ารับทราบเท่านั้น "
            "(informed_only ใน roles.yaml)"
            if lang == "th"
            else f"role “{label}” [{code}] does no step and is not declared informed only "
            "(informed_only in roles.yaml)"
        )
    return out
