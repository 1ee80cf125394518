"""The reporting sheets' content: Activity 3's row from its records, the BPM fields of a
province-level activity, English headers and dates in BE."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.workflow.walk import walk
from tests.webapp import NATION, PROVINCE, Web, make_web


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def rows(web: Web, path: str, actor: str = PROVINCE) -> list[dict[str, str]]:
    answer = web.client.get(path, headers=web.auth(actor))
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_activity3_sheet_reads_the_records(web: Web) -> None:
    walk(web.world.engine, "2568/activity3/240101", web.world.actors, web.world.pdf)
    sheet = rows(web, "/api/v1/exports/activity3.csv?lang=en")
    done = next(r for r in sheet if r["Tambon code"] == "240101")
    assert done["District"] == "Mueang Chachoengsao"
    assert "training" in done["Activities/projects"]
    assert done["Budget lines"] == (
        "ค่าวัสดุอบรม | 5000 | materials | no; ค่าอาหารและเครื่องดื่ม | 5000 | services | no"
    )
    assert done["Participants"] == "25" and done["People's participation"].startswith("ร่วมคิด")
    assert done["Allocation (baht)"] == done["Spent (baht)"] == "10000"
    # the day entered at the BPM step, not the day it was recorded (27 Nov 2567)
    assert done["Recorded in BPM"] == "15 January 2025 (BE 2568)"
    assert done["Recorded in BPM: source"] == "date entered"
    assert done["Status"] == "done"
    waiting = [r for r in sheet if r["Tambon code"] != "240101"]
    assert waiting and all(r["Spent (baht)"] == "" for r in waiting)


def test_bpm_fields_of_a_province_level_activity(web: Web) -> None:
    walk(web.world.engine, "2568/activity1/24", web.world.actors, web.world.pdf)
    (record,) = rows(web, "/api/v1/exports/bpm.csv?process=activity1", NATION)
    assert record["รหัสรายการ"] == "2568/activity1/24"
    assert record["หน่วยดำเนินการ"].startswith("สำนักงานพัฒนาชุมชนจังหวัด")
    assert record["หน่วยดำเนินการ"].endswith("ฉะเชิงเทรา")
    assert record["ตัวชี้วัด"].startswith("ร้อยละ ๑๐๐")
    assert len(record["หลักฐาน (SHA-256)"].split()) == 1  # one file, attached twice
    assert record["สถานะ"] == "เสร็จสิ้น"


def test_activity2_sheet_reads_the_records(web: Web) -> None:
    """The shipped definitions' declarations give the sheet its columns as before."""
    walk(web.world.engine, "2568/activity2/240101", web.world.actors, web.world.pdf)
    sheet = rows(web, "/api/v1/exports/activity2.csv?lang=en")
    done = next(r for r in sheet if r["Tambon code"] == "240101")
    entered = "15 January 2025 (BE 2568)"  # the days the walk enters
    assert done == {
        "No.": done["No."],
        "District": "Mueang Chachoengsao",
        "Tambon": done["Tambon"],
        "Tambon code": "240101",
        "Workshop date": entered,  # the day entered, not the record's (27 Nov 2567)
        "Workshop date: source": "date entered",
        "Participants": "25",
        "Participant target": "20",
        "Allocation (baht)": "3900",
        "Spent (baht)": "3900",
        "Tambon plan evaluated": entered,
        "Tambon plan evaluated: source": "date entered",
        "Plan usable (evaluation)": "yes",  # the judgement the evaluate step asks for
        "Recorded in BPM": entered,
        "Recorded in BPM: source": "date entered",
        "Report submitted": entered,
        "Report submitted: source": "date entered",
        "Current step": "Done",
        "Current step due": "",  # done: no step is due
        "Deadline extended": "no",
        "Recorded as done on": "27 November 2024 (BE 2567)",  # the world's clock
        "Status": "done",
    }
    waiting = [r for r in sheet if r["Tambon code"] != "240101"]
    assert waiting and all(r["Workshop date"] == r["Participants"] == "" for r in waiting)
