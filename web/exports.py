"""A reporting sheet as a download (CSV or XLSX), for the API and the pages."""

from __future__ import annotations

from fastapi import Response

from plancycle.web.areas_view import area_view
from plancycle.web.deps import process_for
from plancycle.web.sheets import build_sheet
from plancycle.web.state import WebState
from plancycle.web.tabular import FORMATS, to_csv, to_xlsx

__all__ = ["export_response"]


def export_response(
    web: WebState,
    code: str,
    kind: str,
    fmt: str,
    fy: int | None,
    process: str | None,
    lang: str,
) -> Response:
    year = web.year(fy)
    view = area_view(web.db, code)
    name = view.area.name_th if lang == "th" else view.area.name_en
    sheet = build_sheet(
        web.db, web.catalog, kind, year, code, name, web.now(), lang, process_for(web, process)
    )
    body = to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
    suffix = f"-{process}" if kind == "bpm" and process else ""
    filename = f"{kind}{suffix}-{year}-{code or 'th'}.{fmt}"
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
