"""The letter's reports no. 1 (Activity 2) and no. 2 (Activity 3) as PDF and DOCX, from a
populated Chachoengsao store: the Thai words, the figures in Thai digits and the BE dates
come out intact and in order; the first page of each PDF is kept as a PNG in
``test-output/reports/`` for a person to look at; a bad area or year is refused."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.cli.sample import SampleStore
from plancycle.web.report_document import report_document
from plancycle.web.report_files import REPORT_FONT, to_docx, to_pdf
from tests.conftest import copy_sample_store

OUT = Path(__file__).resolve().parents[1] / "test-output" / "reports"
A2 = "2568/activity2/240101"


@pytest.fixture
def store(tmp_path: Path, _sample_province: SampleStore) -> SampleStore:
    store = copy_sample_store(_sample_province, tmp_path / "site.db")
    who = store.actors_in("2401")["district_cd_office"]
    eng = store.engine
    eng.advance(A2, "meeting_set", who)
    eng.advance(A2, "workshop_held", who, data={"workshop_date": "2025-02-03", "participants": 25})
    eng.advance(A2, "evaluated", who, data={"plan_usable": True})
    eng.advance(A2, "bpm_recorded", who)
    eng.advance(A2, "report_submitted", who, data={"spent": 3850})
    return store


def _pdf_text(body: bytes, tmp_path: Path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(body)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUT / name),
        ],
        check=True,
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _aa(text: str) -> str:
    """Text as compared: the PDF's text layer gives one Unicode per glyph, so the glyph
    of า that ำ shares (HarfBuzz draws ำ as ํ + า) and a tone mark placed after its vowel
    come back changed; compared without spaces, nikhahit and tone marks, ำ as า."""
    return "".join(text.split()).replace("ำ", "า").translate(_DROP)


_DROP = str.maketrans("", "", "\u0e4d\u0e48\u0e49\u0e4a\u0e4b")


def _in_order(text: str, parts: list[str]) -> None:
    # the PDF's text layer maps the glyph of า shared with ำ (HarfBuzz draws ำ as ํ + า)
    # to one of the two; pdftotext may give either, so both sides compare with ำ as า
    text, parts = _aa(text), [_aa(p) for p in parts]
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, (part, text[at : at + 400])
        at = found + len(part)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_report_no_1_as_pdf_and_docx(store: SampleStore, tmp_path: Path) -> None:
    doc = report_document(
        store.engine.db, store.engine.catalog, "activity2", 2568, "24", store.clock.now()
    )
    expected = [
        "บันทึกข้อความ",
        "ส่วนราชการ",
        "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา",
        "วันที่",
        "๓ กุมภาพันธ์ ๒๕๖๘",  # the store's clock, in BE and Thai digits
        "เรื่อง",
        "(รายงานครั้งที่ ๑)",
        "เรียน",
        "อธิบดีกรมการพัฒนาชุมชน",
        "ภายในวันที่ ๓๑ มี.ค. ๒๕๖๘",
        "ดำเนินการเสร็จสิ้น ๑ แห่ง",
        "ผลการดำเนินงาน ๑ จาก",
        "เป้าหมายร้อยละ ๘๕",
        "เบิกจ่ายแล้ว ๓,๘๕๐ บาท",
        "ตำบล",
        "เบิกจ่าย",
        "ลงชื่อ",
    ]
    text = _pdf_text(to_pdf(doc), tmp_path, "report1-activity2")
    flat = " ".join(text.split())
    _in_order(flat, expected)
    assert "3,850" not in flat and "2568" not in flat  # no Arabic digits left
    word = Document(io.BytesIO(to_docx(doc)))
    body = " ".join(p.text for p in word.paragraphs)
    _in_order(body, [e for e in expected if e not in ("ตำบล", "เบิกจ่าย", "ลงชื่อ")])
    cells = [c.text for row in word.tables[0].rows for c in row.cells]
    assert "บางคล้า" not in cells[:7] and "เบิกจ่าย (บาท)" in cells and "๓,๘๕๐" in cells
    run = word.paragraphs[0].runs[0]._element
    fonts = run.rPr.rFonts
    assert {
        fonts.get(f"{{{fonts.nsmap['w']}}}{s}") for s in ("ascii", "hAnsi", "eastAsia", "cs")
    } == {REPORT_FONT}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_report_no_2_from_the_command_line(store: SampleStore, tmp_path: Path) -> None:
    url = str(store.engine.db.url)
    runner = CliRunner()
    out = tmp_path / "report.pdf"
    done = runner.invoke(
        app, ["--db", url, "report", "activity3", "--area", "24", "--fy", "2568", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    text = " ".join(_pdf_text(out.read_bytes(), tmp_path, "report2-activity3").split())
    _in_order(
        text,
        ["บันทึกข้อความ", "กิจกรรมที่ ๓", "(รายงานครั้งที่ ๒)", "ภายในวันที่ ๓๑ ก.ค. ๒๕๖๘", "เป้าหมาย ๑๑ แห่ง"],
    )
    docx = tmp_path / "report.docx"
    done = runner.invoke(app, ["--db", url, "report", "activity3", "--area", "24", "-o", str(docx)])
    assert done.exit_code == 0, done.output
    assert "(รายงานครั้งที่ ๒)" in " ".join(p.text for p in Document(str(docx)).paragraphs)


@pytest.mark.parametrize(
    ("args", "code", "th", "en"),
    [
        (["--area", "99"], 3, "ไม่พบพื้นที่รหัส", "No area by the code"),
        (["--area", "24", "--fy", "2570"], 3, "ยังไม่มีรอบงาน", "has no cycle"),
        (["--area", "24", "--fy", "abc"], 2, "", "is not a fiscal year"),
        (["--area", "24", "-o", "x.txt"], 2, ".pdf หรือ .docx", "as .pdf or .docx"),
    ],
)
def test_a_bad_area_year_or_file_is_refused_in_thai_and_english(
    store: SampleStore, tmp_path: Path, args: list[str], code: int, th: str, en: str
) -> None:
    target = tmp_path / "report.pdf"
    if "-o" not in args:
        args = [*args, "-o", str(target)]
    done = CliRunner().invoke(app, ["--db", str(store.engine.db.url), "report", "activity2", *args])
    assert done.exit_code == code, done.output
    assert th in done.output and en in done.output
    assert not target.exists()
