"""`plancycle areas`: load DOPA areas, villages and the activities' target lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, cannot_write, fiscal_year
from plancycle.cli.render import Renderer, console, progress_bar
from plancycle.store import areas as store_areas
from plancycle.store import geothai_import as store_geothai
from plancycle.store import targets as store_targets
from plancycle.store import villages as store_villages
from plancycle.store.area_rows import ImportCounts
from plancycle.thai.areacode import AreaCode, AreaLevel
from plancycle.workflow.withdraw import ADMIN_ROLE, LOCAL_ADMIN, designate_strong

app = typer.Typer(no_args_is_help=True)
strong = typer.Typer(
    no_args_is_help=True, help="Activity 3 strong tambons (one per district and fiscal year)."
)
targets = typer.Typer(no_args_is_help=True, help="Activity 2 target tambons, per fiscal year.")
app.add_typer(strong, name="strong")
app.add_typer(targets, name="targets")

Province = Annotated[str | None, typer.Option("--province", help="Province code, e.g. 24.")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
YearOption = Annotated[
    str, typer.Option("--fy", help="Fiscal year in BE the list belongs to, e.g. 2568.")
]


_COUNT_TH = {
    "provinces": "จังหวัด",
    "districts": "อำเภอ",
    "tambons": "ตำบล",
    "villages": "หมู่บ้าน",
    "updated": "ปรับปรุง",
}


def _counts(app_ctx: AppContext, counts: ImportCounts) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    parts = [
        f"{r.pick(_COUNT_TH.get(name, name), name)} {r.num(value)}"
        for name, value in vars(counts).items()
        if value
    ]
    console.print(r.pick("นำเข้า: ", "imported: ") + (", ".join(parts) or "0"), highlight=False)


@app.command("import")
def import_cmd(ctx: typer.Context, province: Province = None, quiet: Quiet = False) -> None:
    """Provinces, districts and tambons from GeoThai (Bangkok is outside this cycle)."""
    app_ctx: AppContext = ctx.obj
    prov = area_code(province, level="province")
    app_ctx.manages([prov])
    with (
        progress_bar(app_ctx.text("นำเข้าพื้นที่", "importing areas"), quiet) as bar,
        Session(app_ctx.db) as session,
        session.begin(),
    ):
        counts = store_geothai.import_geothai(session, [prov] if prov else None, progress=bar)
    _counts(app_ctx, counts)


@app.command("import-villages")
def import_villages(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with code,name_th[,name_en].")],
) -> None:
    """Villages from a CSV file; any bad row stops the import and nothing is written."""
    app_ctx: AppContext = ctx.obj
    app_ctx.manages([None])  # a file may hold any province's villages
    with Session(app_ctx.db) as session, session.begin():
        counts = store_villages.import_villages_csv(session, file)
    _counts(app_ctx, counts)


@app.command("sample-villages")
def sample_villages(ctx: typer.Context, province: Province = "24") -> None:
    """Generate sample villages (หมู่ที่ 1..N) for a province's tambons; marked as sample data."""
    app_ctx: AppContext = ctx.obj
    prov = area_code(province, level="province") or "24"
    app_ctx.manages([prov])
    with Session(app_ctx.db) as session, session.begin():
        counts = store_villages.generate_sample_villages(session, prov)
    _counts(app_ctx, counts)


@app.command("export-villages")
def export_villages(ctx: typer.Context, file: Path, province: Province = None) -> None:
    """Write villages as CSV in the import format."""
    app_ctx: AppContext = ctx.obj
    code = area_code(province, level="province")
    with Session(app_ctx.db) as session:
        try:
            store_villages.write_villages_csv(session, file, code)
        except OSError as exc:
            raise cannot_write(file, exc) from None
    console.print(str(file))


@app.command("counts")
def counts_cmd(ctx: typer.Context, province: Province = None) -> None:
    """How many areas of each level are in the store."""
    app_ctx: AppContext = ctx.obj
    with Session(app_ctx.db) as session:
        counts = store_areas.area_counts(session, area_code(province, level="province"))
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(
        ", ".join(f"{AreaLevel(k).pick(r.lang)} {r.num(v)}" for k, v in counts.items()),
        highlight=False,
    )


def _year(text: str) -> int:
    return fiscal_year(text)


def _acted_by(app_ctx: AppContext) -> tuple[str, str]:
    """Who a change to a target list is recorded as: the token's actor, or the local
    administrator of the store."""
    actor = app_ctx.token_actor
    return (actor.id, actor.role) if actor is not None else (LOCAL_ADMIN, ADMIN_ROLE)


@targets.command("import")
def targets_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Tambon codes, one per line or a CSV with a code column.")
    ],
    fy: YearOption,
) -> None:
    """Replace a fiscal year's Activity 2 target list (without one: every tambon).

    Codes of provinces that are not in the store are counted and skipped: a province's
    store takes the national list as published."""
    app_ctx: AppContext = ctx.obj
    year = _year(fy)
    app_ctx.manages([None])  # the list is the nation's
    with Session(app_ctx.db) as session, session.begin():
        done = store_targets.set_target_list(
            session,
            year,
            store_targets.ACTIVITY2,
            store_targets.read_codes_file(file),
            skip_other_provinces=True,
        )
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(
        r.pick(
            f"ตำบลเป้าหมายกิจกรรมที่ 2 ปี {r.num(str(year))}: {r.num(done.kept)}",
            f"Activity 2 targets for FY{r.num(str(year))}: {r.num(done.kept)}",
        ),
        highlight=False,
    )
    if done.skipped:
        provinces = ", ".join(f"{p} ({r.num(n)})" for p, n in done.skipped.items())
        console.print(
            r.pick(
                f"ข้าม {r.num(done.skipped_total)} รหัสของ {r.num(len(done.skipped))} จังหวัดที่ไม่มีในฐานข้อมูล: "
                f"{provinces}",
                f"skipped {r.num(done.skipped_total)} codes of {r.num(len(done.skipped))} "
                f"provinces not in the store: {provinces}",
            ),
            highlight=False,
        )


def _designate(app_ctx: AppContext, year: int, codes: list[str]) -> list[tuple[str, str | None]]:
    return designate_strong(app_ctx.db, year, codes, _acted_by(app_ctx), app_ctx.clock.now())


@strong.command("set")
def strong_set(
    ctx: typer.Context,
    tambon: Annotated[str, typer.Argument(help="Tambon code, e.g. 240101.")],
    fy: YearOption,
) -> None:
    """Make a tambon its district's strong tambon for a fiscal year (replacing the
    previous one; a started Activity 3 instance with no record yet moves with it)."""
    app_ctx: AppContext = ctx.obj
    year = _year(fy)
    code = AreaCode.parse(tambon, level=AreaLevel.TAMBON).code
    app_ctx.manages([code])
    ((_, previous),) = _designate(app_ctx, year, [code])
    tail = app_ctx.text(f" (แทน {previous})", f" (replacing {previous})") if previous else ""
    console.print(
        app_ctx.text(f"ตำบลเข้มแข็งปี {year}: {code}", f"FY{year} strong tambon: {code}") + tail
    )


@strong.command("import")
def strong_import(ctx: typer.Context, file: Path, fy: YearOption) -> None:
    """Designate a fiscal year's strong tambons from a file of tambon codes."""
    app_ctx: AppContext = ctx.obj
    year = _year(fy)
    codes = store_targets.read_codes_file(file)
    app_ctx.manages(codes)
    _designate(app_ctx, year, codes)
    console.print(
        app_ctx.text(
            f"กำหนดตำบลเข้มแข็งปี {year} {len(codes):,} ตำบล",
            f"{len(codes):,} FY{year} strong tambons designated",
        )
    )


@strong.command("default")
def strong_default(ctx: typer.Context, fy: YearOption, province: Province = None) -> None:
    """Placeholder: each district without one this year gets its first tambon by code;
    correct it later."""
    app_ctx: AppContext = ctx.obj
    year = _year(fy)
    prov = area_code(province, level="province")
    app_ctx.manages([prov])
    with Session(app_ctx.db) as session, session.begin():
        count = store_targets.default_strong_tambons(session, year, prov)
    console.print(
        app_ctx.text(
            f"ปี {year} กำหนดชั่วคราว {count:,} อำเภอ",
            f"FY{year}: {count:,} districts given a placeholder strong tambon",
        )
    )


@strong.command("list")
def strong_list(ctx: typer.Context, fy: YearOption, province: Province = None) -> None:
    """A fiscal year's strong tambons."""
    app_ctx: AppContext = ctx.obj
    year = _year(fy)
    with Session(app_ctx.db) as session:
        codes = store_targets.strong_tambons(session, year, area_code(province, level="province"))
    console.print("\n".join(codes) or "-")
