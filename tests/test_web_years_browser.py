"""The fiscal year a person picks follows every click, in a real headless Chromium: with
FY2568 and FY2569 both started (FY2569 the default), a provincial officer starts from
``?fy=2568`` and goes province → district → tambon → instance → overdue → sort →
language switch, and every page shows FY2568. The year selector is photographed at
desktop and phone widths (``test-output/web/``)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from plancycle.workflow.cycle import start_cycle
from tests.test_web_browser import PROVINCE, SHOTS, Site, browser, site  # noqa: F401 - the fixtures
from tests.world import bkk

pytestmark = pytest.mark.browser

KEY = "2568/activity2/240101"


def _fy(url: str) -> list[str]:
    return parse_qs(urlparse(url).query).get("fy", [])


def _on_2568(page) -> None:  # noqa: ANN001 - playwright Page
    assert _fy(page.url) == ["2568"], page.url
    assert page.input_value("#year-select") == "2568"


@pytest.fixture
def two_years(site: Site) -> Site:  # noqa: F811
    """FY2569 started too; the clock on 2 April 2568, past Activity 2's report deadline."""
    site.store.clock.set(bkk(2025, 4, 2, 9))
    start_cycle(site.store.engine.db, site.store.engine.catalog, 2569, "24", site.store.clock)
    return site


def test_the_chosen_year_survives_every_click(two_years: Site) -> None:
    served, page = two_years, two_years.page
    served.log_in(PROVINCE)
    assert page.url.endswith("/inbox")  # the landing page; no year asked for: the default
    page.click("#nav-overview")
    assert page.url.endswith("/areas/24")  # and the overview carries no year either
    assert page.input_value("#year-select") == "2569"
    default = page.locator("#year-select option[data-default]")
    assert default.get_attribute("value") == "2569" and "ค่าเริ่มต้น" in default.inner_text()
    assert page.locator("#year-select option").evaluate_all("os => os.map(o => o.value)") == [
        "2569",
        "2568",
    ]
    served.shot("year-selector-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#year-select").is_visible()
    served.shot("year-selector-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{served.url}/areas/24?fy=2568")
    _on_2568(page)
    overdue_2568 = page.locator('section.card[data-process="activity2"] .badge.late')
    assert overdue_2568.get_attribute("data-overdue") == "93"  # FY2568's, not FY2569's
    page.click('#children tr[data-area="2401"] a')  # drill down: district
    page.wait_for_url("**/areas/2401?fy=2568")
    _on_2568(page)
    page.click('#children tr[data-area="240101"] a')  # tambon
    page.wait_for_url("**/areas/240101?fy=2568")
    _on_2568(page)
    page.click(f'#instances tr[data-key="{KEY}"] a')  # instance
    page.wait_for_url(f"**/instances/{KEY}?fy=2568")
    _on_2568(page)
    back = page.locator("ol.crumbs a").evaluate_all("as => as.map(a => a.href)")
    assert back and all(_fy(href) == ["2568"] for href in back)  # the back links
    page.click("#nav-overdue")
    page.wait_for_url("**/overdue?fy=2568")
    _on_2568(page)
    assert page.locator("#overdue tbody tr[data-key]").count() > 0
    page.click("#sort-key")  # sort
    page.wait_for_load_state()
    _on_2568(page)
    assert parse_qs(urlparse(page.url).query)["sort"] == ["key"]
    keys = page.locator("#overdue tbody tr[data-key]").evaluate_all(
        "rs => rs.map(r => r.dataset.key)"
    )
    assert keys and all(k.startswith("2568/") for k in keys)
    page.select_option("#process", "activity2")  # filter
    page.click("#filter")
    page.wait_for_load_state()
    _on_2568(page)
    assert parse_qs(urlparse(page.url).query)["process"] == ["activity2"]
    page.click("#lang-switch")  # language
    page.wait_for_load_state()
    _on_2568(page)
    assert page.locator("h1").inner_text().startswith("Overdue")
    assert parse_qs(urlparse(page.url).query)["sort"] == ["key"]  # the rest kept too
    assert "default" in page.locator("#year-select option[data-default]").inner_text()
    page.screenshot(path=str(SHOTS / "year-overdue-2568-en.png"))  # the top: a long list


def test_picking_a_year_in_the_selector_moves_the_page_to_it(two_years: Site) -> None:
    served, page = two_years, two_years.page
    served.log_in(PROVINCE)
    page.goto(f"{served.url}/overdue?process=activity2")
    assert page.locator("#overdue tbody tr[data-key]").count() == 0  # FY2569: none late yet
    page.select_option("#year-select", "2568")  # submitted on change by /static/year.js
    page.wait_for_url("**/overdue?process=activity2&fy=2568")
    assert page.locator("#overdue tbody tr[data-key]").count() > 0
    page.goto(f"{served.url}/areas/24?fy=2570")  # a year without a cycle
    note = page.locator("#no-cycle")
    assert "ปีงบประมาณ 2570 ยังไม่มีรอบงาน มีปี 2568, 2569" in note.inner_text()
    page.click('#no-cycle a[data-fy="2568"]')
    page.wait_for_url("**/areas/24?fy=2568")
    _on_2568(page)
