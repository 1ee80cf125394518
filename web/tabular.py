"""Writing a :class:`Sheet` as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read the Thai) or as an XLSX workbook laid out as a Thai government sheet:

- a title row and, under it, the area and the day the sheet was made in BE;
- the header row (under a row of process titles for the summary), frozen, with an
  autofilter over the rows;
- one row per unit: days as date cells shown in BE, numbers as numbers, text quoted when
  it would start a formula (:func:`plancycle.cells.safe_cell`, for CSV and XLSX alike);
- a totals row of formulas (``=SUM``, ``=COUNTIF``) over the rows above;
- a signature block (ลงชื่อ / ( ) / ตำแหน่ง / วันที่);
- A4 landscape, one page wide, the header rows repeated on every page, page numbers in
  the footer.

The font is TH SarabunPSK, the government's document font that offices have installed;
where it is missing (Debian's fonts-thai-tlwg maps the name to Laksaman, the same design)
the spreadsheet program substitutes its fallback."""

from __future__ import annotations

import csv
import io
from copy import copy
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plancycle.cells import safe_cell
from plancycle.thai.dates import format_date
from plancycle.web.sheets import Sheet, Total

__all__ = ["BE_DATE", "CSV", "FORMATS", "FONT", "XLSX", "to_csv", "to_xlsx"]

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV, "xlsx": XLSX}
FONT = "TH SarabunPSK"  # the government's document font; spreadsheet programs fall back
#: A day shown with its Buddhist-era year (calendar 07, Thai Buddhist): "15 ม.ค. 2568";
#: English sheets keep English month names ("15 Jan 2568").
BE_DATE = {"th": "[$-107041E]d mmm yyyy", "en": "[$-1070409]d mmm yyyy"}
SIGNATURE = (
    (
        "ลงชื่อ ........................................",
        "Signed ........................................",
    ),
    ("(........................................)", "(........................................)"),
    (
        "ตำแหน่ง ........................................",
        "Position ........................................",
    ),
    (
        "วันที่ ........................................",
        "Date ........................................",
    ),
)
HEADER_ROW = 4  # title, area and date, (process titles,) header


def _text(sheet: Sheet, value: Any) -> Any:
    """A cell's value as CSV writes it: a day in BE, text quoted, None empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value, "full", lang=sheet.lang)
    return safe_cell(value)


def _made(sheet: Sheet) -> str:
    if sheet.made is None:
        return sheet.area
    day = format_date(sheet.made, "full", lang=sheet.lang)
    return f"{sheet.area} ข้อมูล ณ {day}" if sheet.lang == "th" else f"{sheet.area}, as of {day}"


def _csv_heads(sheet: Sheet) -> list[str]:
    """The header row; under a row of process titles (the summary) each header names its
    process, as CSV has one header row: "title: Done"."""
    if not sheet.groups:
        return sheet.columns
    titles = [title for title, span in sheet.groups for _ in range(span)]
    return [f"{t}: {c}" if t else c for t, c in zip(titles, sheet.columns, strict=True)]


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in _csv_heads(sheet)])
    writer.writerows([_text(sheet, v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell; text is quoted (safe_cell) and kept as text, never a formula."""
    cell: Cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_cell(value)
        cell.data_type = "s"  # explicit: text, whatever it starts with
    else:
        cell.value = value
    return cell


def _formula(total: Total, letter: str, first: int, last: int, done: str) -> str:
    span = f"{letter}{first}:{letter}{last}"
    if total is Total.SUM:
        return f"=SUM({span})"
    return f'=COUNTIF({span},"{done}")'


def to_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet.name[:31]
    width = len(sheet.columns)
    _head(ws, sheet, width)
    first = HEADER_ROW + 1
    for r, row in enumerate(sheet.rows, first):
        for i, value in enumerate(row, 1):
            _body_cell(ws, sheet, r, i, value)
    last = first + len(sheet.rows) - 1
    end = _totals(ws, sheet, first, last) if sheet.totals else last
    _style(ws, sheet, width, end)
    _signature(ws, sheet, width, end + 2)
    _print_setup(ws, sheet, width, end)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _head(ws: Worksheet, sheet: Sheet, width: int) -> None:
    """The title, the area and date, the process titles (if any) and the header row."""
    _put(ws, 1, 1, sheet.title)
    _put(ws, 2, 1, _made(sheet))
    for line in (1, 2):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    at = 1
    for title, span in sheet.groups or ():
        _put(ws, 3, at, title or None)
        if span > 1:
            ws.merge_cells(start_row=3, start_column=at, end_row=3, end_column=at + span - 1)
        at += span
    for i, head in enumerate(sheet.columns, 1):
        _put(ws, HEADER_ROW, i, head)


def _body_cell(ws: Worksheet, sheet: Sheet, row: int, column: int, value: Any) -> None:
    cell = _put(ws, row, column, value)
    if isinstance(value, date):
        cell.number_format = BE_DATE.get(sheet.lang, BE_DATE["th"])
    elif isinstance(value, float):
        cell.number_format = "0.0"
    elif isinstance(value, int):
        cell.number_format = "#,##0"


def _totals(ws: Worksheet, sheet: Sheet, first: int, last: int) -> int:
    """The totals row under the rows (``first``..``last``); its row number."""
    end = last + 1
    _put(ws, end, 1, sheet.total_label)
    for i, total in enumerate(sheet.totals or (), 1):
        if total is not None:
            cell = ws.cell(row=end, column=i)
            letter = get_column_letter(i)
            cell.value = _formula(total, letter, first, max(last, first), sheet.done_word)
            cell.number_format = "#,##0"
    return end


def _style(ws: Worksheet, sheet: Sheet, width: int, end: int) -> None:
    thin = Side(style="thin", color="999999")
    ws["A1"].font = Font(name=FONT, size=18, bold=True)
    ws["A2"].font = Font(name=FONT, size=14)
    top = 3 if sheet.groups else HEADER_ROW
    bold = {3, HEADER_ROW, end} if sheet.totals else {3, HEADER_ROW}
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    fonts = {b: Font(name=FONT, size=14, bold=b) for b in (False, True)}
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    text_align = Alignment(vertical="top", wrap_text=True)
    # openpyxl looks each style object up in the workbook's lists on every assignment:
    # the first cell of each look is styled, the others take a copy of its style array
    looks: dict[tuple[bool, bool, bool, str], Any] = {}
    for row in ws.iter_rows(min_row=top, max_row=end, max_col=width):
        for cell in row:
            head = cell.row <= HEADER_ROW
            look = (cell.row in bold, cell.data_type == "s", head, cell.number_format)
            if look in looks:
                cell._style = copy(looks[look])
                continue
            cell.font = fonts[cell.row in bold]
            cell.border = border
            if head:
                cell.fill = head_fill
                cell.alignment = head_align
            elif cell.data_type == "s":
                cell.alignment = text_align
            looks[look] = copy(cell._style)
    for i, head_text in enumerate(sheet.columns, 1):
        cells = [len(str(head_text))] + [len(_shown(r[i - 1])) for r in sheet.rows[:200]]
        ws.column_dimensions[get_column_letter(i)].width = min(max(8, max(cells) + 2), 45)
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{max(end - 1, HEADER_ROW)}"


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return "15 ม.ค. 2568"  # what a day shows: as wide as any
    return "" if value is None else str(value)


def _signature(ws: Worksheet, sheet: Sheet, width: int, top: int) -> None:
    """ลงชื่อ / (ชื่อ) / ตำแหน่ง / วันที่, at the right of the sheet."""
    start = max(1, width - 3)
    for n, (th, en) in enumerate(SIGNATURE):
        row = top + n
        cell = _put(ws, row, start, th if sheet.lang == "th" else en)
        cell.font = Font(name=FONT, size=14)
        cell.alignment = Alignment(horizontal="center")
        if width > start:
            ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=width)


def _print_setup(ws: Worksheet, sheet: Sheet, width: int, end: int) -> None:
    """A4 landscape, one page wide; the header rows on every page; page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(width)}{end + 5}"
    ws.oddFooter.center.text = "หน้า &P / &N" if sheet.lang == "th" else "Page &P of &N"
    ws.oddFooter.center.font = FONT
    ws.page_margins.left = ws.page_margins.right = 0.4
