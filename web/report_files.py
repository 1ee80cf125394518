"""A report document (:mod:`plancycle.web.report_document`) written as PDF (WeasyPrint,
which shapes Thai with HarfBuzz through Pango) or DOCX (python-docx, for an office to
edit before signing), in a TH Sarabun-family font."""

from __future__ import annotations

import io
from typing import Literal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from plancycle.web.report_document import ReportDocument

__all__ = ["DOC_FORMATS", "REPORT_FONT", "to_docx", "to_pdf"]

# Debian's fonts-thai-tlwg ships Laksaman, a TH Sarabun New derivative; an office with
# TH Sarabun New (or TH SarabunPSK) installed sees its own when it opens the DOCX
REPORT_FONT = "TH Sarabun New"
_PDF_FONTS = '"TH Sarabun New", "TH SarabunPSK", Laksaman'
DOC_FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DocFormat = Literal["pdf", "docx"]

_env = Environment(
    loader=PackageLoader("plancycle.web", "templates"), autoescape=select_autoescape()
)


def to_pdf(doc: ReportDocument, chart: Markup | None = None) -> bytes:
    """The memo as PDF; ``chart``: an SVG drawn under the table (the activity's progress,
    :func:`plancycle.web.area_charts.report_chart`)."""
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    html = _env.get_template("report_document.html").render(doc=doc, fonts=_PDF_FONTS, chart=chart)
    return bytes(HTML(string=html).write_pdf())


def _font(run, size: float | None = None, bold: bool = False) -> None:  # noqa: ANN001
    """The Thai font on every script slot of a run: Word picks ``w:cs`` for Thai."""
    run.font.name = REPORT_FONT
    run.font.bold = bold
    run.font.cs_bold = bold
    if size:
        run.font.size = Pt(size)
    props = run._element.get_or_add_rPr()
    fonts = props.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), REPORT_FONT)
    if size:
        cs = props.find(qn("w:szCs"))
        if cs is None:
            cs = props.makeelement(qn("w:szCs"), {})
            props.append(cs)
        cs.set(qn("w:val"), str(int(size * 2)))


def _para(document, text: str, size: float = 16, bold: bool = False, align=None):  # noqa: ANN001, ANN202
    p = document.add_paragraph()
    _font(p.add_run(text), size, bold)
    if align is not None:
        p.alignment = align
    return p


def to_docx(doc: ReportDocument) -> bytes:
    document = Document()
    _para(document, doc.heading, 29, True, WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in (("ส่วนราชการ", doc.office), ("", doc.ref), ("วันที่", doc.date)):
        p = document.add_paragraph()
        if label:
            _font(p.add_run(label + " "), 16, True)
        _font(p.add_run(value), 16)
    for label, value in (("เรื่อง", doc.subject), ("เรียน", doc.to)):
        p = document.add_paragraph()
        _font(p.add_run(label + " "), 16, True)
        _font(p.add_run(value), 16)
    for text in doc.paragraphs:
        _para(document, text)
    table = document.add_table(rows=1, cols=len(doc.columns))
    table.style = "Table Grid"
    for line, cells in ((table.rows[0], doc.columns), *((None, r) for r in doc.rows)):
        row = line or table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), 14, line is not None)
    row = table.add_row()
    for cell, text in zip(row.cells, doc.totals, strict=True):
        _font(cell.paragraphs[0].add_run(text), 14, True)
    for line in doc.signature:
        _para(document, line, align=WD_ALIGN_PARAGRAPH.CENTER)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
