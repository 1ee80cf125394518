"""The fiscal year a command works in (``--fy``, else the rule of ``workflow/years``), and
what a command says when the year it chose holds nothing."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import fiscal_year
from plancycle.cli.render import Renderer
from plancycle.workflow.years import YearChoice, choose_year

__all__ = ["Fy", "chosen_year", "nothing_found"]

Fy = Annotated[
    str | None,
    typer.Option(
        "--fy",
        help="Fiscal year in BE (default: the newest cycle with work left, else the newest "
        "cycle, else the current year).",
    ),
]


def chosen_year(app_ctx: AppContext, fy: str | None) -> YearChoice:
    """``--fy`` when given, else the store's default year."""
    asked = fiscal_year(fy) if fy else None
    return choose_year(app_ctx.db, asked, app_ctx.clock.now())


def nothing_found(r: Renderer, choice: YearChoice) -> str:
    """Why a filter found nothing in the chosen year, and what to type instead."""
    year = r.num(str(choice.year))
    if not choice.existing:
        return r.pick(
            "ยังไม่มีรอบงาน: สั่ง `plancycle cycle start` ก่อน",
            "no cycle has been started yet: run `plancycle cycle start` first",
        )
    if not choice.has_cycle:
        others = ", ".join(r.num(str(y)) for y in sorted(choice.others))
        hint = r.num(str(choice.default))  # a started cycle, since one exists
        return r.pick(
            f"ปีงบประมาณ {year} ยังไม่มีรอบงาน มีปี {others}: ใช้ --fy {hint}",
            f"fiscal year {year} has no cycle; cycles exist for {others}: use --fy {hint}",
        )
    return r.pick(
        f"ไม่พบรายการตามเงื่อนไขนี้ในปีงบประมาณ {year}",
        f"nothing matches these filters in fiscal year {year}",
    )
