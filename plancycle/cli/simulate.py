"""`plancycle simulate`: a fiscal year of one province on a virtual clock."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, fiscal_year
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, progress_bar
from plancycle.cli.sample import fresh_sample_store
from plancycle.definitions.model import Catalog
from plancycle.kinds import EscalationKind
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import BANGKOK, fy_range
from plancycle.workflow.simulate import MonthRow, SimSettings, simulate

__all__ = ["register", "run_simulation"]


def run_simulation(
    path: Path, catalog: Catalog, settings: SimSettings, r: Renderer, quiet: bool = False
) -> list[MonthRow]:
    first, _ = fy_range(settings.fiscal_year)
    start = datetime.combine(first, time(8), BANGKOK)
    sample = fresh_sample_store(path, catalog, settings.province, settings.fiscal_year, start)
    with progress_bar(r.pick("จำลองทีละวัน", "simulating day by day"), quiet) as bar:
        months = simulate(sample.engine, settings, sample.actors, sample.pdf, lambda m: None, bar)
    print_months(months, catalog, settings, r)
    return months


def print_months(
    months: list[MonthRow], catalog: Catalog, settings: SimSettings, r: Renderer
) -> None:
    processes = catalog.latest()
    short = {d.id: short_name(d.id, i, r.lang) for i, d in enumerate(processes)}
    cols = [
        Col(r.pick("เดือน", "month"), Fit.ID),
        *(Col(short[d.id], Fit.NUMBER) for d in processes),
        Col(r.pick("ค้าง", "late"), Fit.NUMBER),
        Col(r.pick("เตือน", "rem"), Fit.NUMBER),
        Col(r.pick("แจ้ง", "due"), Fit.NUMBER),
        Col(r.pick("ยก", "esc"), Fit.NUMBER),
        Col(r.pick("อัตโนมัติ", "auto"), Fit.NUMBER),
    ]
    rows = []
    for m in months:
        done = {p.process: p.percent_done for p in m.processes}
        rows.append(
            [
                format_date(m.month, "short", lang=r.lang, thai_digits=r.thai_digits).split(" ", 1)[
                    1
                ],
                *(r.num(f"{done.get(d.id, 0):.0f}") for d in processes),
                r.num(m.overdue),
                r.num(m.sent[EscalationKind.REMINDER]),
                r.num(m.sent[EscalationKind.OVERDUE]),
                r.num(m.sent[EscalationKind.ESCALATION]),
                r.num(m.automatic),
            ]
        )
    title = r.pick(
        f"จำลองปีงบประมาณ {r.num(str(settings.fiscal_year))} จังหวัด {settings.province} "
        f"(ล่าช้า {r.num(f'{settings.late_rate:.0%}')}, ค่าสุ่ม {r.num(str(settings.seed))})",
        f"FY{settings.fiscal_year} simulated, province {settings.province} "
        f"(late rate {settings.late_rate:.0%}, seed {settings.seed})",
    )
    console.print(fitted_table(cols, rows, title))
    legend = Table.grid(padding=(0, 1))
    legend.add_column(no_wrap=True)
    legend.add_column(overflow="fold")
    legend.add_row("%", r.pick("ร้อยละที่เสร็จของแต่ละกระบวนการ:", "share done of each process:"))
    for d in processes:
        legend.add_row(f" {short[d.id]}", Text(d.title.pick(r.lang)))
    console.print(legend)
    console.print(
        r.pick(
            "ค้าง = รายการที่เกินกำหนด ณ สิ้นเดือน; เตือน = แจ้งเตือนก่อนกำหนด; "
            "แจ้ง = แจ้งเกินกำหนด; ยก = ยกระดับ; อัตโนมัติ = ขั้นที่ระบบเลื่อนให้เอง",
            "late = overdue at month end; rem = reminders sent; due = overdue notices; "
            "esc = escalations; auto = automatic steps",
        ),
        highlight=False,
        markup=False,
    )


_TH_LETTERS = "กขคงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"  # how Thai lists are lettered


def short_name(process: str, index: int = 0, lang: str = "en") -> str:
    """A column-sized name: in Thai the process's letter in catalog order (ก, ข, ค …);
    in English from its id: activity2 -> a2, village_plan -> vp, orders -> or."""
    if lang == "th":
        return _TH_LETTERS[index % len(_TH_LETTERS)]
    digits = "".join(c for c in process if c.isdigit())
    if digits:
        return process[0] + digits
    parts = process.split("_")
    return "".join(p[0] for p in parts) if len(parts) > 1 else process[:2]


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate_cmd(
        ctx: typer.Context,
        fy: Annotated[str, typer.Option("--fy", help="Fiscal year in BE.")] = "2568",
        province: Annotated[str, typer.Option("--province")] = "24",
        late_rate: Annotated[float, typer.Option("--late-rate", min=0.0, max=1.0)] = 0.2,
        seed: Annotated[int, typer.Option("--seed")] = 2568,
        file: Annotated[Path, typer.Option("--file", help="SQLite file to (re)create.")] = Path(
            "plancycle-sim.db"
        ),
        quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    ) -> None:
        """The whole fiscal year on a virtual clock with simulated coordinators (some late)."""
        app_ctx: AppContext = ctx.obj
        settings = SimSettings(
            fiscal_year(fy), area_code(province, level="province") or "24", late_rate, seed
        )
        run_simulation(
            file, app_ctx.catalog, settings, Renderer(app_ctx.lang, app_ctx.thai_digits), quiet
        )
