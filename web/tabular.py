"""Writing a :class:`Sheet` as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read the Thai) or as an XLSX workbook laid out like the province's sheet: a title, the
area and date, a header row, one row per unit, a totals row."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from plancycle.cells import safe_row
from plancycle.web.sheets import Sheet

__all__ = ["CSV", "FORMATS", "XLSX", "to_csv", "to_xlsx"]

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV, "xlsx": XLSX}
FONT = "TH SarabunPSK"  # the government's document font; spreadsheet programs fall back


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(sheet.columns))
    writer.writerows(safe_row("" if v is None else v for v in row) for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet.name[:31]
    width = len(sheet.columns)
    ws.append(safe_row([sheet.title]))
    ws.append(safe_row([sheet.subtitle]))
    ws.append([])
    ws.append(safe_row(sheet.columns))
    for row in sheet.rows:
        ws.append(safe_row(row))
    if sheet.totals:
        ws.append(safe_row(sheet.totals))
    for line in (1, 2):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    _style(ws, sheet, width)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _style(ws, sheet: Sheet, width: int) -> None:
    thin = Side(style="thin", color="999999")
    ws["A1"].font = Font(name=FONT, size=18, bold=True)
    ws["A2"].font = Font(name=FONT, size=14)
    last = 4 + len(sheet.rows) + (1 if sheet.totals else 0)
    bold_rows = {4, last} if sheet.totals else {4}
    for row in ws.iter_rows(min_row=4, max_row=last, max_col=width):
        for cell in row:
            cell.font = Font(name=FONT, size=14, bold=cell.row in bold_rows)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
    for cell in ws[4]:
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, head in enumerate(sheet.columns, 1):
        longest = max([len(str(head))] + [len(str(r[i - 1] or "")) for r in sheet.rows[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(8, longest + 2), 45)
    ws.freeze_panes = "B5"
