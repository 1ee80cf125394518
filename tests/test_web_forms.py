"""The instance page's forms speak web: a refused form names its fields by their labels
(Thai in Thai mode), comes back as it was filled in, and keeps the files it attached
(a signed reference the server takes back only from the same actor, instance and slot);
fields carry the guards' bounds; no page or API answer words an input the CLI's way."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer.main
from sqlmodel import Session, select

from plancycle.cli.app import app as cli_app
from plancycle.store.models import EvidenceUse, Instance
from plancycle.workflow.walk import MINIMAL_PDF, walk
from tests.webapp import DISTRICT, Web, make_web

KEY = "2568/activity2/240101"
PAGE = f"/instances/{KEY}"
HTMX = {"HX-Request": "true"}
LABEL_TH = "จำนวนผู้เข้าร่วม (ไม่น้อยกว่า ๒๐ คน)"
SHA = hashlib.sha256(MINIMAL_PDF).hexdigest()
HELD = "3 ก.พ. 68"  # the workshop day, required: BPM counts 7 days from it


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(sqlite_engine, tmp_path)
    web.world.engine.advance(KEY, "meeting_set", web.world.actors["district_cd_office"])
    web.login(DISTRICT)
    return web


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _kept(html: str, slot: str = "attendance") -> str | None:
    found = re.search(rf'name="kept\.{slot}" value="([^"]+)"', html)
    return found.group(1) if found else None


def _workshop(web: Web, page: str = PAGE, files: dict | list | None = None, **fields: str):
    token = _csrf(web.client.get(page).text)
    data = {"csrf": token, "trigger": "workshop_held", "data.workshop_date": HELD, **fields}
    return web.client.post(f"{page}/advance", headers=HTMX, data=data, files=files or {})


def _uses(web: Web) -> list[EvidenceUse]:
    with Session(web.world.db) as session:
        return list(session.exec(select(EvidenceUse)))


def test_a_refused_form_names_the_field_by_its_label_and_keeps_values_and_file(web: Web) -> None:
    pdf = {"evidence.attendance": ("ใบลงชื่อ.pdf", MINIMAL_PDF, "application/pdf")}
    refused = _workshop(web, files=pdf, **{"data.participants": "12", "note": "ศาลาประชาคม"})
    assert refused.status_code == 422
    error = re.search(r'id="advance-error">(.*?)</div>', refused.text, re.S).group(1)
    assert f"“{LABEL_TH}”" in error and "20" in error
    assert "participants" not in error and "give" not in error  # Thai only, no field ids
    form = refused.text[refused.text.index('data-trigger="workshop_held"') :]
    assert 'name="data.participants" value="12"' in form and "ศาลาประชาคม" in form
    assert "แนบไว้แล้ว" in form and "ใบลงชื่อ.pdf" in form and f'data-sha256="{SHA}"' in form
    assert not re.search(r'name="evidence\.attendance"[^>]*required', form)  # kept: not asked
    reference = _kept(refused.text)
    assert reference
    assert _uses(web) == []  # nothing recorded yet
    done = _workshop(web, **{"data.participants": "25", "kept.attendance": reference})
    assert done.status_code == 200, done.text
    [use] = _uses(web)
    assert (use.sha256, use.file_name, use.slot) == (SHA, "ใบลงชื่อ.pdf", "attendance")
    assert f'href="/evidence/{SHA}"' in done.text
    assert web.client.get(f"/evidence/{SHA}").content == MINIMAL_PDF


def test_a_new_file_replaces_the_kept_one(web: Web) -> None:
    refused = _workshop(
        web, files={"evidence.attendance": ("old.pdf", MINIMAL_PDF, "application/pdf")}
    )
    newer = MINIMAL_PDF + b"%new"
    done = _workshop(
        web,
        files={"evidence.attendance": ("new.pdf", newer, "application/pdf")},
        **{"data.participants": "25", "kept.attendance": _kept(refused.text)},
    )
    assert done.status_code == 200, done.text
    assert [u.file_name for u in _uses(web)] == ["new.pdf"]


def test_a_kept_reference_holds_only_for_its_instance_and_unaltered(web: Web) -> None:
    refused = _workshop(
        web, files={"evidence.attendance": ("a.pdf", MINIMAL_PDF, "application/pdf")}
    )
    reference = _kept(refused.text)
    web.world.engine.advance(
        "2568/activity2/240102", "meeting_set", web.world.actors["district_cd_office"]
    )
    elsewhere = _workshop(
        web,
        "/instances/2568/activity2/240102",
        **{"data.participants": "25", "kept.attendance": reference},
    )
    altered = _workshop(
        web, **{"data.participants": "25", "kept.attendance": reference[:-2] + "xx"}
    )
    for answer in (elsewhere, altered):
        assert answer.status_code == 422
        assert "โปรดแนบไฟล์อีกครั้ง" in answer.text
    assert _uses(web) == []
    with Session(web.world.db) as session:
        states = {i.key: i.state for i in session.exec(select(Instance))}
    assert states[KEY] == states["2568/activity2/240102"] == "workshop"


def test_a_file_of_a_type_the_slot_refuses_is_not_kept(web: Web) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    refused = _workshop(
        web,
        files=[
            ("evidence.attendance", ("list.pdf", MINIMAL_PDF, "application/pdf")),
            ("evidence.plan_book", ("book.png", png, "image/png")),  # the book is a PDF
        ],
        **{"data.participants": "25"},
    )
    assert refused.status_code == 422
    assert _kept(refused.text, "attendance") and "list.pdf" in refused.text
    assert _kept(refused.text, "plan_book") is None and refused.text.count("แนบไว้แล้ว") == 1
    error = re.search(r'id="advance-error">(.*?)</div>', refused.text, re.S).group(1)
    assert "“รูปเล่มแผนพัฒนาตำบล”" in error and "plan_book" not in error


def test_fields_carry_the_guards_bounds_and_their_types(web: Web) -> None:
    page = web.client.get(PAGE).text
    participants = re.search(r'<input[^>]*name="data\.participants"[^>]*>', page).group(0)
    assert 'type="number"' in participants and 'min="20"' in participants
    assert "required" in participants
    # the attendance list is expected, not insisted on (a warn slot): the browser lets it go
    attendance = re.search(r'<input[^>]*name="evidence\.attendance"[^>]*>', page).group(0)
    assert "required" not in attendance
    held = re.search(r'<input[^>]*name="data\.workshop_date"[^>]*>', page).group(0)
    assert "required" in held and 'type="text"' in held  # BPM counts from it
    fresh = web.client.get("/instances/2568/activity2/240102").text  # its meeting date
    meeting = re.search(r'<input[^>]*name="data\.meeting_date"[^>]*>', fresh).group(0)
    assert 'type="text"' in meeting  # a Thai or ISO date is typed
    assert 'aria-describedby="meeting_set-meeting_date-days"' in meeting  # the days it takes
    walk(web.world.engine, KEY, web.world.actors, web.world.pdf, max_steps=3)
    page = web.client.get(PAGE).text  # the report: the 3,900 cap is derived (severity warn)
    spent = re.search(r'<input[^>]*name="data\.spent"[^>]*>', page).group(0)
    assert 'type="number"' in spent and "max=" not in spent  # passed, recorded, not refused


def _cli_options() -> set[str]:
    """Every option name of every command of the CLI (``--data``, ``--evidence``…)."""
    names: set[str] = set()
    todo = [typer.main.get_command(cli_app)]
    while todo:
        command = todo.pop()
        todo += list(getattr(command, "commands", {}).values())
        for param in command.params:
            names |= {o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")}
    return names - {"--help"}


def test_no_web_answer_words_anything_the_cli_way(web: Web) -> None:
    options = _cli_options()
    assert {"--data", "--evidence", "--actor", "--json"} <= options
    cli_words = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(o) for o in sorted(options)) + r")(?![\w-])"
    )
    pdf = {"evidence.attendance": ("a.pdf", MINIMAL_PDF, "application/pdf")}
    answers = [
        web.client.get(p)
        for p in ("/areas/24", "/areas/2401", "/areas/240101", PAGE, "/overdue", "/exports")
    ]
    answers += [
        _workshop(web),  # missing data and evidence
        _workshop(web, files=pdf, **{"data.participants": "abc"}),  # not a number
        _workshop(web, files=pdf, **{"data.participants": "3"}),  # a guard refuses
        _workshop(web, files=pdf, **{"data.participants": "25", "data.colour": "red"}),
        _workshop(web, files=pdf, **{"data.participants": "25", "expected_version": "1"}),
        web.client.post(
            f"{PAGE}/advance",
            headers=HTMX,
            data={"csrf": _csrf(web.client.get(PAGE).text), "trigger": "report_sent"},
        ),
        web.client.get("/instances/2568/activity2/249999"),
    ]
    api = {"Authorization": f"Bearer {web.tokens[DISTRICT]}"}
    answers += [
        web.client.post(f"/api/v1{PAGE}/advance", headers=api, data=d)
        for d in (
            {"trigger": "workshop_held"},
            {"trigger": "workshop_held", "data.participants": "3"},
            {"trigger": "nope"},
        )
    ]
    assert all(400 <= a.status_code < 500 for a in answers[6:]), [a.status_code for a in answers]
    for answer in answers:
        leaked = cli_words.findall(answer.text)
        assert leaked == [], (answer.request.url, leaked)
    for answer in answers[:-3]:  # the pages send no one to a command either
        assert "`plancycle" not in answer.text and "plancycle show" not in answer.text
