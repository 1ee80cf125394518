"""`plancycle demo`: Chachoengsao's FY2568 on a fresh SQLite file, walked on a virtual clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.render import Renderer, console
from plancycle.cli.sample import fresh_sample_store
from plancycle.cli.simulate import run_simulation
from plancycle.cli.steps import print_status
from plancycle.cli.wording import CLI_WORDING
from plancycle.definitions.model import Catalog
from plancycle.store.evidence import open_evidence
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import GuardFailed
from plancycle.workflow.reports import AreaFilter, InstanceFilter, get_instance, list_instances
from plancycle.workflow.rollup import status
from plancycle.workflow.simulate import SimSettings
from plancycle.workflow.walk import sample_step_data, walk
from plancycle.workflow.years import choose_year

__all__ = ["register", "run_demo"]

PROVINCE, DISTRICT = "24", "2401"
WALKED_TAMBONS = ("240101", "240102", "240103")
FY = 2568


def bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def run_demo(db_path: Path, catalog: Catalog, r: Renderer, with_year: bool = True) -> None:
    sample = fresh_sample_store(db_path, catalog, PROVINCE, FY, bkk(2024, 11, 27, 9))
    engine, clock, pdf, result = sample.engine, sample.clock, sample.pdf, sample.started
    db = engine.db
    actors = sample.actors_in(DISTRICT)
    console.print(
        r.pick(
            f"1) ฉะเชิงเทรา (24): นำเข้าพื้นที่ หมู่บ้านตัวอย่าง และเริ่มปีงบประมาณ {FY}: "
            f"{r.num(result.total_created)} รายการ",
            f"1) Chachoengsao (24): areas, sample villages, FY{FY} started: "
            f"{r.num(result.total_created)} instances",
        )
    )

    clock.set(bkk(2024, 12, 20, 10))
    walk(engine, instance_key(FY, "orders", DISTRICT), actors, pdf)
    console.print(
        r.pick(
            "2) อำเภอ 2401 ส่งคำสั่งและประกาศ 3.1-3.5 (PDF) ก่อน 25 ธ.ค. 67",
            "2) District 2401 sends orders 3.1-3.5 (PDFs) before 25 Dec 2567",
        )
    )

    clock.set(bkk(2025, 1, 20, 10))
    villages = _village_keys(db, WALKED_TAMBONS)
    for key in villages:
        walk(engine, key, actors, pdf)
    console.print(
        r.pick(
            f"3) แผนพัฒนาหมู่บ้าน {r.num(len(villages))} หมู่บ้านของ 3 ตำบลเสร็จ",
            f"3) {r.num(len(villages))} village plans of 3 tambons done",
        )
    )

    clock.set(bkk(2025, 2, 17, 10))
    _show_refusal(engine, r, actors, pdf)
    for tambon in WALKED_TAMBONS:
        walk(engine, instance_key(FY, "tambon_plan", tambon), actors, pdf)
        walk(engine, instance_key(FY, "activity2", tambon), actors, pdf)
    console.print(
        r.pick(
            "5) แผนพัฒนาตำบลและกิจกรรมที่ 2 ของ 240101-240103 เสร็จ",
            "5) tambon plans and Activity 2 of 240101-240103 done",
        )
    )

    clock.set(bkk(2025, 4, 1, 9))
    console.print(
        r.pick(
            "6) สถานะ ณ 1 เม.ย. 68 (เลยกำหนดรายงานกิจกรรมที่ 2 แล้ว):",
            "6) status on 1 Apr 2568 (the Activity 2 report deadline has passed):",
        )
    )
    rows = status(db, catalog, FY, AreaFilter(province=PROVINCE), clock.now())
    ctx = AppContext(lang=r.lang, thai_digits=r.thai_digits, clock=clock)
    print_status(ctx, choose_year(db, FY, clock.now()), rows)
    console.print(r.pick(f"ไฟล์ฐานข้อมูล: {db_path}; ลองสั่ง:", f"store: {db_path}; try:"))
    console.print(  # one line, to copy: the terminal wraps it, not the table rules
        f"  plancycle --db sqlite:///{db_path} history "
        f"{instance_key(FY, 'activity2', WALKED_TAMBONS[0])}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if with_year:
        console.print(
            r.pick(
                "7) ทั้งปีงบประมาณบนนาฬิกาจำลอง: ผู้ประสานงานจำลอง (ล่าช้าบ้าง) ตัวกวาดรายวัน และการยกระดับ",
                "7) the whole fiscal year on a virtual clock: simulated coordinators (some late), "
                "a daily sweep, escalations",
            )
        )
        sim_file = db_path.with_name(db_path.stem + "-year.db")
        run_simulation(sim_file, catalog, SimSettings(FY, PROVINCE), r)


def _village_keys(db, tambons: tuple[str, ...]) -> list[str]:
    keys: list[str] = []
    for tambon in tambons:
        flt = InstanceFilter(FY, "village_plan", area=AreaFilter(tambon=tambon), limit=1000)
        keys += [i.key for i in list_instances(db, flt)[0]]
    return keys


def _show_refusal(engine: Engine, r: Renderer, actors: dict[str, str], pdf: Path) -> None:
    """Walk Activity 2 of one tambon up to its workshop and try it with 12 people."""
    key = instance_key(FY, "activity2", WALKED_TAMBONS[0])
    while True:
        inst = get_instance(engine.db, key)
        definition = engine.catalog.get(inst.definition_id, inst.definition_version)
        steps = definition.transitions_from(inst.state)
        if not steps:
            return
        step = steps[0]
        if any(g.name == "min_participants" for g in step.guards):
            break
        walk(engine, key, actors, pdf, max_steps=1)
    data = {**sample_step_data(step, definition, 0, fiscal_year=FY), "participants": 12}
    try:
        with open_evidence([(s.id, pdf) for s in step.evidence]) as evidence:
            engine.advance(key, step.trigger, actors[step.roles[0]], evidence, None, data)
    except GuardFailed as refused:
        en, th = refused.worded(CLI_WORDING)
        console.print(
            r.pick(f"4) ระบบปฏิเสธ: {th}", f"4) refused: {en}"),
            highlight=False,
            markup=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        ctx: typer.Context,
        file: Annotated[Path, typer.Option("--file", help="SQLite file to (re)create.")] = Path(
            "plancycle-demo.db"
        ),
        year: Annotated[
            bool, typer.Option("--year/--no-year", help="End with the simulated fiscal year.")
        ] = True,
    ) -> None:
        """Chachoengsao, FY2568: fresh SQLite store, sample villages, a scripted walk, a
        progress table, then the whole year simulated."""
        app_ctx: AppContext = ctx.obj
        run_demo(file, app_ctx.catalog, Renderer(app_ctx.lang, app_ctx.thai_digits), year)
