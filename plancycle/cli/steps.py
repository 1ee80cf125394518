"""Commands on instances' steps: status, show, advance, history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, fiscal_year
from plancycle.cli.pairs import parse_pairs
from plancycle.cli.render import Renderer, console, print_json
from plancycle.store.evidence import open_evidence
from plancycle.thai.fiscal import fiscal_year_of
from plancycle.workflow.reports import AreaFilter, get_instance, history, status

__all__ = ["register"]

_SLOT = re.compile(r"^([a-z][a-z0-9_]*)=(.+)$")

Province = Annotated[str | None, typer.Option("--province", help="Province code, e.g. 24.")]
District = Annotated[str | None, typer.Option("--district", help="District code, e.g. 2401.")]
Tambon = Annotated[str | None, typer.Option("--tambon", help="Tambon code, e.g. 240101.")]
Fy = Annotated[
    str | None, typer.Option("--fy", help="Fiscal year in BE (default: the current one).")
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def area_filter(province: str | None, district: str | None, tambon: str | None) -> AreaFilter:
    return AreaFilter(
        province=area_code(province, level="province"),
        district=area_code(district, level="district"),
        tambon=area_code(tambon, level="tambon"),
    )


def chosen_year(app_ctx: AppContext, fy: str | None) -> int:
    return fiscal_year(fy) if fy else fiscal_year_of(app_ctx.clock.now())


def status_cmd(
    ctx: typer.Context,
    province: Province = None,
    district: District = None,
    tambon: Tambon = None,
    fy: Fy = None,
    as_json: Json = False,
) -> None:
    """Progress per process: counts per state, % complete, overdue."""
    app_ctx: AppContext = ctx.obj
    year = chosen_year(app_ctx, fy)
    rows = status(
        app_ctx.db,
        app_ctx.catalog,
        year,
        app_ctx.visible(area_filter(province, district, tambon)),
        app_ctx.clock.now(),
    )
    if as_json:
        print_json({"fiscal_year": year, "processes": [r.as_dict() for r in rows]})
        return
    print_status(app_ctx, year, rows)


def print_status(app_ctx: AppContext, year: int, rows: list) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    table = Table(
        title=r.pick(
            f"ความก้าวหน้า ปีงบประมาณ {r.num(str(year))}", f"Progress, fiscal year {r.num(str(year))}"
        )
    )
    table.add_column(r.pick("กระบวนการ", "process"), no_wrap=True)
    table.add_column(r.pick("ชื่อ", "title"), max_width=30, overflow="ellipsis", no_wrap=True)
    for head in (r.pick("ทั้งหมด", "total"), r.pick("เสร็จ", "done"), "%"):
        table.add_column(head, justify="right")
    table.add_column(r.pick("เกินกำหนด", "overdue"), justify="right")
    table.add_column(r.pick("เป้าหมาย KPI", "KPI target"), justify="right")
    table.add_column(r.pick("ตามขั้น", "by state"), no_wrap=True)
    for row in rows:
        states = "\n".join(f"{k} {r.num(v)}" for k, v in sorted(row.by_state.items()))
        table.add_row(
            row.process,
            r.pick(row.title_th, row.title_en),
            r.num(row.total),
            r.num(row.done),
            r.num(f"{row.percent_done:.1f}"),
            f"[red]{r.num(row.overdue)}[/]" if row.overdue else r.num(0),
            r.num(f"{row.kpi_target} %") if row.kpi_target is not None else "-",
            states,
        )
    if not rows:
        console.print(
            r.pick(
                "ยังไม่มีรายการ: สั่ง `plancycle cycle start` ก่อน",
                "no instances yet: run `plancycle cycle start` first",
            )
        )
        return
    console.print(table)


def show_cmd(ctx: typer.Context, key: str, as_json: Json = False) -> None:
    """One instance: its steps with deadlines, where it is now, what can be done next."""
    app_ctx: AppContext = ctx.obj
    inst = get_instance(app_ctx.db, key)
    app_ctx.visible(AreaFilter.of(inst.area_code))
    definition = app_ctx.catalog.get(inst.definition_id, inst.definition_version)
    nexts = definition.transitions_from(inst.state)
    if as_json:
        print_json(
            {
                "key": inst.key,
                "process": inst.definition_id,
                "version": inst.definition_version,
                "area": inst.area_code,
                "state": inst.state,
                "due_at": inst.due_at,
                "completed_at": inst.completed_at,
                "next": [
                    {"trigger": t.trigger, "dest": t.dest, "roles": list(t.roles)} for t in nexts
                ],
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(f"[bold]{inst.key}[/] {r.pick(definition.title.th, definition.title.en)}")
    for st in definition.states:
        mark = "▶" if st.id == inst.state else " "
        console.print(
            f" {mark} {st.id:<22} {r.pick(st.label.th, st.label.en)} [{st.source}]",
            highlight=False,
            markup=False,
        )
    console.print(r.pick("กำหนดส่งขั้นปัจจุบัน: ", "current step due: ") + r.when(inst.due_at))
    for t in nexts:
        console.print(f"  → {t.trigger} ({', '.join(t.roles)})", highlight=False, markup=False)


def _evidence(values: list[str]) -> list[tuple[str | None, Path]]:
    """``--evidence`` values as (slot or None, file path); the files are opened later."""
    out: list[tuple[str | None, Path]] = []
    for value in values:
        match = _SLOT.match(value)
        if match and not Path(value).exists():
            out.append((match.group(1), Path(match.group(2))))
        else:
            out.append((None, Path(value)))
    return out


def advance_cmd(
    ctx: typer.Context,
    key: str,
    trigger: str,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="As a local administrator: act as this actor id."),
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="FILE or SLOT=FILE; repeatable.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", help="NAME=VALUE; repeatable.")
    ] = None,
) -> None:
    """Do a step: TRIGGER on instance KEY, as the --token's actor (or --actor), with
    evidence and data."""
    app_ctx: AppContext = ctx.obj
    pairs = parse_pairs(data or [])
    with open_evidence(_evidence(evidence or [])) as files:
        result = app_ctx.engine.advance(
            key, trigger, app_ctx.acting(actor), evidence=files, note=note, data=pairs
        )
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    due = (
        r.pick(" เสร็จสิ้นกระบวนการ", " process complete")
        if result.completed
        else (r.pick(" กำหนดส่ง ", " due ") + r.when(result.due_at))
    )
    console.print(
        f"{result.key}: {result.from_state} → {result.to_state} (#{result.seq}){due}",
        highlight=False,
        markup=False,
    )


def history_cmd(ctx: typer.Context, key: str, as_json: Json = False) -> None:
    """Every transition of an instance, oldest first."""
    app_ctx: AppContext = ctx.obj
    inst, records = history(app_ctx.db, key)
    app_ctx.visible(AreaFilter.of(inst.area_code))
    if as_json:
        print_json(
            {
                "key": inst.key,
                "state": inst.state,
                "records": [
                    {
                        "seq": x.seq,
                        "at": x.at,
                        "actor": x.actor_id,
                        "role": x.role,
                        "trigger": x.trigger,
                        "from": x.from_state,
                        "to": x.to_state,
                        "data": x.data,
                        "note": x.note,
                        "evidence": x.evidence,
                        "automatic": x.automatic,
                    }
                    for x in records
                ],
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    table = Table(title=f"{inst.key} ({inst.state})")
    for head in (
        "#",
        r.pick("เวลา", "at"),
        r.pick("ผู้ดำเนินการ", "actor"),
        r.pick("ขั้น", "trigger"),
        r.pick("จาก → ถึง", "from → to"),
        r.pick("ข้อมูล", "data"),
    ):
        table.add_column(head)
    for x in records:
        table.add_row(
            r.num(x.seq),
            r.when(x.at),
            f"{x.actor_id} ({x.role})",
            x.trigger,
            f"{x.from_state} → {x.to_state}",
            escape(", ".join(f"{k}={v}" for k, v in (x.data or {}).items())),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("status")(status_cmd)
    app.command("show")(show_cmd)
    app.command("advance")(advance_cmd)
    app.command("history")(history_cmd)
