"""Many steps at once from a sheet (`advance-many`), and the sheet to fill (`template`)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code
from plancycle.cli.render import Renderer, console, err_console, print_json, progress_bar
from plancycle.cli.wording import SHEET_WORDING
from plancycle.cli.years import Fy, chosen_year
from plancycle.errors import PlancycleError
from plancycle.store.evidence import EvidenceError, EvidenceInput
from plancycle.workflow.batch import BatchResult, BatchRow, RowResult, RowStatus, run_batch
from plancycle.workflow.batch_sheet import (
    SheetFormat,
    SheetRow,
    format_of,
    read_sheet,
    template_csv,
    template_xlsx,
)
from plancycle.workflow.batch_template import template_for
from plancycle.workflow.reports import AreaFilter

__all__ = ["register"]

PROGRESS_FROM = 50  # rows: a shorter batch needs no progress bar


class _Files:
    """The sheet's evidence files, each opened once however many rows name it."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.folder, self.stack = folder, stack
        self.opened: dict[Path, BinaryIO] = {}

    def row(self, sheet_row: SheetRow) -> BatchRow:
        files: list[EvidenceInput] = []
        try:
            for slot, name in sheet_row.evidence:
                files.append(EvidenceInput(slot, Path(name).name, self._open(name)))
        except EvidenceError as exc:
            return _batch_row(sheet_row, [], exc)
        return _batch_row(sheet_row, files, None)

    def _open(self, name: str) -> BinaryIO:
        path = (self.folder / name).resolve()
        if path not in self.opened:
            if not path.is_file():
                raise EvidenceError(
                    f"evidence file {name!r} is not in {str(self.folder)!r} "
                    f"(file names are relative to --evidence-dir)",
                    f"ไม่พบไฟล์หลักฐาน {name!r} ในโฟลเดอร์ {str(self.folder)!r} "
                    f"(ชื่อไฟล์นับจาก --evidence-dir)",
                )
            self.opened[path] = self.stack.enter_context(path.open("rb"))
        return self.opened[path]


def _batch_row(r: SheetRow, files: list[EvidenceInput], problem: EvidenceError | None) -> BatchRow:
    return BatchRow(r.row, r.key, r.trigger, r.data, files, r.note, problem)


def _why(result: RowResult) -> tuple[str, str]:
    """(English, Thai) of a row's refusal, without the key the line already names."""
    assert result.error is not None
    en, th = result.error.worded(SHEET_WORDING)
    prefix = f"{result.key}: "
    return en.removeprefix(prefix), th.removeprefix(prefix)


def _ranges(rows: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    out: list[str] = []
    for n in rows:
        if out and n == int(out[-1].rpartition("-")[2]) + 1:
            out[-1] = f"{out[-1].partition('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _report(app_ctx: AppContext, result: BatchResult) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    for row in result.having(RowStatus.REFUSED, RowStatus.FAILED):
        en, th = _why(row)
        err_console.print(f"แถว {r.num(row.row)} ({row.key}): {th}", highlight=False, markup=False)
        err_console.print(f"row {r.num(row.row)} ({row.key}): {en}", highlight=False, markup=False)
    c = result.counts()
    total = r.num(len(result.rows))
    if result.dry_run:
        say = r.pick(
            f"ตรวจ {total} แถว: ผ่าน {r.num(c['valid'])} ไม่ผ่าน {r.num(c['refused'])}; "
            "ทดลองเท่านั้น ไม่ได้บันทึก",
            f"checked {total} rows: {r.num(c['valid'])} valid, {r.num(c['refused'])} refused; "
            "dry run, nothing written",
        )
    elif not result.written and not result.stopped:
        say = r.pick(
            f"ตรวจ {total} แถว: ไม่ผ่าน {r.num(c['refused'])} แถว จึงไม่ได้บันทึกแถวใดเลย; "
            "แก้แถวเหล่านั้นแล้วส่งทั้งไฟล์อีกครั้ง (หรือใช้ --partial)",
            f"checked {total} rows: {r.num(c['refused'])} refused, so nothing was written; "
            "fix those rows and run the whole file again (or use --partial)",
        )
    else:
        say = r.pick(
            f"บันทึกแล้ว {r.num(c['written'])} จาก {total} แถว",
            f"written {r.num(c['written'])} of {total} rows",
        )
        if c["refused"]:
            say += r.pick(
                f"; ข้าม {r.num(c['refused'])} แถวที่ไม่ผ่าน",
                f"; {r.num(c['refused'])} refused rows skipped",
            )
    console.print(say, highlight=False, markup=False)
    if result.stopped is not None:
        _report_stop(r, result)


def _report_stop(r: Renderer, result: BatchResult) -> None:
    written = _ranges([x.row for x in result.written]) or "-"
    left = _ranges([x.row for x in result.having(RowStatus.FAILED, RowStatus.NOT_WRITTEN)])
    err_console.print(
        f"หยุดกลางคัน: บันทึกแล้วแถว {written}; ยังไม่ได้บันทึกแถว {left}. "
        "ส่งไฟล์เดิมอีกครั้งเมื่อพร้อม: แถวที่บันทึกแล้วจะถูกปฏิเสธ แถวที่เหลือจะถูกบันทึก",
        highlight=False,
        markup=False,
    )
    err_console.print(
        f"stopped mid-way: rows {written} written; rows {left} not written. Run the same "
        "file again when the store is free: the written rows are refused, the rest written",
        highlight=False,
        markup=False,
    )


def result_json(result: BatchResult) -> dict[str, object]:
    def row(x: RowResult) -> dict[str, object]:
        out: dict[str, object] = {
            "row": x.row,
            "key": x.key,
            "trigger": x.trigger,
            "status": x.status.value,
            "seq": x.seq,
        }
        if x.error is not None:
            en, th = _why(x)
            out |= {"reason": x.reason, "detail": en, "detail_th": th}
        return out

    return {**result.summary(), "rows": [row(x) for x in result.rows]}


def advance_many_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The filled sheet: .csv (UTF-8) or .xlsx.")],
    evidence_dir: Annotated[
        Path | None,
        typer.Option(
            "--evidence-dir", help="Where evidence file names point (default: FILE's folder)."
        ),
    ] = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="Write the valid rows even if others are refused.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="As a local administrator: act as this actor id."),
    ] = None,
) -> None:
    """Do one step on many instances from a sheet (see `plancycle template`): every row
    is checked first; nothing is written unless all pass (or --partial)."""
    app_ctx: AppContext = ctx.obj
    who = app_ctx.acting(actor)
    if not file.is_file():
        raise PlancycleError(
            f"{str(file)!r} does not exist or is not a file",
            f"ไม่พบไฟล์ {str(file)!r}",
        )
    rows = read_sheet(file.read_bytes(), file.name, format_of(file))
    folder = evidence_dir if evidence_dir is not None else file.parent
    with ExitStack() as stack:
        files = _Files(folder, stack)
        batch = [files.row(x) for x in rows]
        quiet = as_json or len(batch) < PROGRESS_FROM
        label = app_ctx.text("ตรวจและบันทึก", "checking and writing")
        with progress_bar(label, quiet) as progress:
            result = run_batch(
                app_ctx.engine, batch, who, partial=partial, dry_run=dry_run, progress=progress
            )
    if as_json:
        print_json(result_json(result))
    else:
        _report(app_ctx, result)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def template_cmd(
    ctx: typer.Context,
    process: str,
    trigger: str,
    area: Annotated[str, typer.Option("--area", help="Area code: the instances under it.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="file.xlsx or file.csv")],
    fy: Fy = None,
) -> None:
    """A sheet to fill for `advance-many`: one row per instance of AREA now at the step
    where TRIGGER can be done."""
    app_ctx: AppContext = ctx.obj
    fmt = format_of(output)
    code = app_ctx.visible(AreaFilter.of(area_code(area) or "")).code
    year = chosen_year(app_ctx, fy).year
    sheet = template_for(app_ctx.db, app_ctx.catalog, process, trigger, code, year)
    output.write_bytes(template_xlsx(sheet) if fmt is SheetFormat.XLSX else template_csv(sheet))
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(
        r.pick(
            f"{output}: {r.num(len(sheet.rows))} รายการที่ทำขั้น {trigger} ได้ตอนนี้",
            f"{output}: {r.num(len(sheet.rows))} instances at the step {trigger} can do now",
        ),
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("advance-many")(advance_many_cmd)
    app.command("template")(template_cmd)
