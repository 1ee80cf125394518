"""An export as a download (CSV or XLSX), for the API and the pages: a process's sheet
(each of the catalog's processes), the BPM fields of a budgeted one, or the per-district
summary."""

from __future__ import annotations

from fastapi import Response

from plancycle.web.areas_view import area_view
from plancycle.web.deps import process_for
from plancycle.web.sheets import BPM, SUMMARY, Sheet, build_sheet
from plancycle.web.state import WebState
from plancycle.web.summary_sheet import build_summary
from plancycle.web.tabular import FORMATS, to_csv, to_xlsx

__all__ = ["export_response", "export_sheet"]


def export_sheet(
    web: WebState, code: str, kind: str, fy: int | None, process: str | None, lang: str
) -> tuple[Sheet, str]:
    """The sheet ``kind`` of the area ``code`` and the file name (without the suffix)."""
    year = web.year(fy)
    view = area_view(web.db, code)
    name = view.area.name_th if lang == "th" else view.area.name_en
    if kind == SUMMARY:
        sheet = build_summary(web.db, web.catalog, year, code, name, web.now(), lang)
    else:
        sheet = build_sheet(
            web.db, web.catalog, kind, year, code, name, web.now(), lang, process_for(web, process)
        )
    suffix = f"-{process}" if kind == BPM and process else ""
    return sheet, f"{kind}{suffix}-{year}-{code or 'th'}"


def export_response(
    web: WebState,
    code: str,
    kind: str,
    fmt: str,
    fy: int | None,
    process: str | None,
    lang: str,
) -> Response:
    sheet, stem = export_sheet(web, code, kind, fy, process, lang)
    body = to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
