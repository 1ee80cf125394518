"""The area pages' charts on a populated Chachoengsao store (the sample province run
through October-December 2567 by the simulated coordinators, some late): each chart's
marks match the read model's figures, each has its text alternative and its table,
and the read models count in the database on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.cli.sample import SampleStore, fresh_sample_store
from plancycle.store.models import Instance
from plancycle.store.tokens import issue_token
from plancycle.thai.fiscal import BANGKOK, to_bangkok
from plancycle.web import WebSettings, create_app
from plancycle.web.area_charts import report_chart
from plancycle.web.report_document import report_document
from plancycle.web.report_files import to_pdf
from plancycle.workflow.chart_data import process_deadline, progress_lines, step_times, timeliness
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.simulate import SimSettings, simulate
from tests.conftest import copy_sample_store
from tests.test_web_browser import SHOTS, browser  # noqa: F401 - the fixture
from tests.webserver import serving
from tests.world import CATALOG, World, populate

SVG = "{http://www.w3.org/2000/svg}"
PROVINCE = "provincial-cd-office-24"


@pytest.fixture(scope="module")
def _simulated(tmp_path_factory: pytest.TempPathFactory) -> SampleStore:
    path = tmp_path_factory.mktemp("charts") / "year.db"
    store = fresh_sample_store(path, CATALOG, "24", 2568, datetime(2024, 10, 1, 8, tzinfo=BANGKOK))
    settings = SimSettings(2568, "24", late_rate=0.3, seed=5, until=date(2024, 12, 31))
    simulate(store.engine, settings, store.actors, store.pdf, lambda month: None)
    # the advances' per-thread connections stay open: fold the log into the file to copy
    with store.engine.db.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.engine.db.dispose()
    return store


@pytest.fixture
def store(_simulated: SampleStore, tmp_path: Path) -> SampleStore:
    return copy_sample_store(_simulated, tmp_path / "year.db")


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)


def _tables(html: str) -> list[int]:
    """The rows of each chart's table (in its ``<details>``), the header row included."""
    found = re.findall(r'<details class="chart-table">(.*?)</details>', html, re.DOTALL)
    return [part.count("<tr") for part in found]


def _page(store: SampleStore, folder: Path, path: str) -> str:
    """``path`` as the province office sees it (``folder``: where the store's evidence
    was written, the template's)."""
    from fastapi.testclient import TestClient

    with Session(store.engine.db) as session, session.begin():
        token = issue_token(session, PROVINCE)
    settings = WebSettings(store.engine.db, CATALOG, store.clock, folder, secret_key="charts")
    client = TestClient(create_app(settings))
    login = client.get("/login").text
    csrf = login.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf": csrf, "next": "/", "token": token})
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text


def test_progress_lines_count_done_instances_by_bangkok_day(store: SampleStore) -> None:
    db = store.engine.db
    lines = {p.process: p for p in progress_lines(db, CATALOG, 2568, AreaFilter.of("24"))}
    with Session(db) as session:
        rows = session.exec(
            select(Instance.definition_id, Instance.completed_at).where(
                col(Instance.completed_at).is_not(None)
            )
        ).all()
        totals = Counter(session.exec(select(Instance.definition_id)).all())
    by_day: dict[str, Counter[date]] = {}
    for pid, done in rows:
        by_day.setdefault(pid, Counter())[to_bangkok(done).date()] += 1
    assert by_day["orders"], "the simulated quarter finished some orders"
    for pid, line in lines.items():
        assert line.total == totals[pid]
        running, expected = 0, []
        for day in sorted(by_day.get(pid, {})):
            running += by_day[pid][day]
            expected.append((day, running))
        assert list(line.points) == expected, pid
        assert line.deadline == process_deadline(CATALOG.get(pid), 2568)
    assert lines["orders"].deadline == date(2024, 12, 25)
    assert lines["activity2"].kpi_target == 85


def test_the_province_page_draws_each_chart_from_its_figures(
    store: SampleStore, _simulated: SampleStore
) -> None:
    db, now = store.engine.db, store.clock.now()
    html = _page(store, _simulated.pdf.parent, "/areas/24")
    charts = {}
    for text in _svgs(html):
        root = ET.fromstring(text)
        if root.get("class") == "chart":
            charts[root.get("id")] = root
    lines = progress_lines(db, CATALOG, 2568, AreaFilter.of("24"))
    rows = timeliness(db, 2568, "24", now)
    times, slow = step_times(db, CATALOG, 2568, AreaFilter.of("24"))
    assert {f"progress-{p.process}" for p in lines} <= set(charts)
    for root in charts.values():  # the text alternative of every chart
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    for line in lines:
        root = charts[f"progress-{line.process}"]
        points = root.findall(f".//{SVG}circle[@class='point']")
        assert [int(p.get("data-done")) for p in points] == [d for _, d in line.points]
        assert len(root.findall(f".//{SVG}line[@class='deadline']")) == (line.deadline is not None)
        assert len(root.findall(f".//{SVG}line[@class='kpi']")) == (line.kpi_target is not None)
    bars = charts["timeliness"].findall(f"{SVG}g[@class='bar']")
    assert [b.get("data-area") for b in bars] == [r.code for r in rows]
    assert len(bars) == 11  # Chachoengsao's districts
    for bar, row in zip(bars, rows, strict=True):
        segs = {
            s.get("class").split()[1]: int(s.get("data-count")) for s in bar.findall(f"{SVG}rect")
        }
        want = {"on_time": row.on_time, "late": row.late, "open": row.open}
        assert segs == {k: v for k, v in want.items() if v}
    assert sum(r.late for r in rows) > 0 and sum(r.on_time for r in rows) > 0
    for pid in {t.process for t in times}:
        medians = charts[f"steps-{pid}"].findall(f"{SVG}rect[@class='median']")
        assert [m.get("data-state") for m in medians] == [
            t.state for t in times if t.process == pid
        ]
    # every chart has its table toggle, a row per figure plus the header row
    expected_rows = [len(p.points) + 1 for p in lines] + [len(rows) + 1]
    expected_rows += [
        sum(t.process == p.process for t in times) + 1
        for p in lines
        if any(t.process == p.process for t in times)
    ]
    assert _tables(html) == expected_rows
    assert html.count("<details") == len(expected_rows)
    slowest = [s for s in slow if s.process == "orders"]
    assert slowest and all(f'data-area="{s.area_code}"' in html for s in slowest)


def test_median_days_are_the_middle_of_the_spans(engine: sa.Engine, tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: two districts finish the orders' review after 2 and 6
    days, a third after 10: the median is 6, the slowest listed first."""
    world: World = populate(engine, tmp_path)
    office = world.actors["admin"]
    start = world.clock.now()
    for days, district in ((2, "2401"), (6, "2402"), (10, "2403")):
        world.clock.set(start + timedelta(days=days))
        world.engine.advance(f"2568/orders/{district}", "reviewed", office)
    times, slow = step_times(engine, CATALOG, 2568, AreaFilter.of("24"))
    review = [t for t in times if t.process == "orders"]
    assert [(t.state, t.count) for t in review] == [("review", 3)]
    assert review[0].median_days == pytest.approx(6.0)
    assert [(s.area_code, s.days) for s in slow if s.process == "orders"][:3] == [
        ("2403", 10.0),
        ("2402", 6.0),
        ("2401", 2.0),
    ]
    rows = {r.code: r for r in timeliness(engine, 2568, "24", world.clock.now())}
    assert rows["2401"].on_time + rows["2401"].late + rows["2401"].open > 0


@pytest.mark.browser
def test_the_charts_in_chromium_at_desk_and_phone_width(
    store: SampleStore,
    _simulated: SampleStore,
    browser,  # noqa: ANN001, F811 - playwright Browser
) -> None:
    """Screenshots of the province page with its charts, 1280 and 390 px wide, in
    ``test-output/web/``; on the phone no chart is wider than the screen."""
    with Session(store.engine.db) as session, session.begin():
        token = issue_token(session, PROVINCE)
    settings = WebSettings(
        store.engine.db, CATALOG, store.clock, _simulated.pdf.parent, secret_key="charts"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(create_app(settings)) as url:
        for width in (1280, 390):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="th-TH")
            try:
                page = context.new_page()
                page.goto(f"{url}/login")
                page.fill("#token", token)
                page.click("form.login button[type=submit]")
                page.wait_for_load_state()
                page.goto(f"{url}/areas/24")
                assert page.locator("svg.chart").count() >= 10
                widest = page.evaluate(
                    "Math.max(...[...document.querySelectorAll('svg.chart')]"
                    ".map(s => s.getBoundingClientRect().right))"
                )
                assert widest <= width
                page.screenshot(path=str(SHOTS / f"area-charts-{width}.png"), full_page=True)
                page.locator("#timeliness-chart summary").click()
                assert page.locator("#timeliness-chart table tbody tr").count() == 11
            finally:
                context.close()


def test_report_no_1_as_pdf_carries_the_activity_s_progress_chart(
    store: SampleStore, _simulated: SampleStore, tmp_path: Path
) -> None:
    """The memo's PDF draws Activity 2's progress under its table (its month ticks in
    Thai digits, as the memo writes numbers); the DOCX stays text to edit."""
    with_chart = report_chart(store.engine.db, CATALOG, "activity2", 2568, "24")
    assert with_chart is not None and 'role="img"' in with_chart
    doc = report_document(store.engine.db, CATALOG, "activity2", 2568, "24", store.clock.now())
    pdf = tmp_path / "r1.pdf"
    pdf.write_bytes(to_pdf(doc, with_chart))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "ต.ค. ๖๗" in text and "เม.ย. ๖๘" in text
    plain = tmp_path / "r0.pdf"
    plain.write_bytes(to_pdf(doc))
    bare = subprocess.run(["pdftotext", str(plain), "-"], capture_output=True, text=True).stdout
    assert "เม.ย. ๖๘" not in bare
