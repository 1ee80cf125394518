"""``plancycle report activity2|activity3``: the letter's provincial report no. 1 or no. 2
as a document (PDF or DOCX, by the file's suffix), from the store's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import BadOption, area_code, fiscal_year
from plancycle.cli.years import Fy
from plancycle.web.area_charts import report_chart
from plancycle.web.report_document import report_document
from plancycle.web.report_files import DOC_FORMATS, to_docx, to_pdf

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="The letter's reports as documents (PDF, DOCX).")

Area = Annotated[str, typer.Option("--area", help="Area code: province 24, district 2401.")]
Out = Annotated[
    Path, typer.Option("-o", "--output", help="The file to write: its suffix, .pdf or .docx.")
]


def _write(ctx: typer.Context, kind: str, area: str, fy: str | None, output: Path) -> None:
    app_ctx: AppContext = ctx.obj
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in DOC_FORMATS:
        raise BadOption(
            f"{output.name!r}: the report is written as .pdf or .docx; give -o report.pdf "
            f"or -o report.docx",
            f"{output.name!r}: เขียนรายงานได้เป็น .pdf หรือ .docx เท่านั้น; ใช้ -o report.pdf "
            f"หรือ -o report.docx",
        )
    code = area_code(area) or ""
    year = fiscal_year(fy) if fy else None
    doc = report_document(app_ctx.db, app_ctx.catalog, kind, year, code, app_ctx.clock.now())
    if fmt == "pdf":
        chart = report_chart(app_ctx.db, app_ctx.catalog, kind, doc.fiscal_year, doc.area_code)
        body = to_pdf(doc, chart)
    else:
        body = to_docx(doc)
    output.write_bytes(body)
    typer.echo(
        app_ctx.text(
            f"เขียน{doc.subject} แล้ว: {output} ({len(body):,} ไบต์)",
            f"wrote report {doc.filename}: {output} ({len(body):,} bytes)",
        )
    )


@app.command("activity2")
def activity2_cmd(ctx: typer.Context, area: Area, output: Out, fy: Fy = None) -> None:
    """Report no. 1 (Activity 2, due 31 March)."""
    _write(ctx, "activity2", area, fy, output)


@app.command("activity3")
def activity3_cmd(ctx: typer.Context, area: Area, output: Out, fy: Fy = None) -> None:
    """Report no. 2 (Activity 3, due 31 July)."""
    _write(ctx, "activity3", area, fy, output)
