"""The instance page's date field in a real headless Chromium, at desk and phone widths:
a date typed in Thai is taken, one outside the fiscal year is refused in place with the
range in BE. Screenshots go to ``test-output/web/``."""

from __future__ import annotations

import pytest

from tests.test_web_browser import KEY, OFFICER, Site, browser, site  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser

RANGE_TH = "1 ต.ค. 2567 – 30 ก.ย. 2568"


def test_a_date_outside_the_year_is_refused_then_a_thai_date_is_taken(site: Site) -> None:  # noqa: F811
    page = site.page
    site.log_in(OFFICER)
    page.goto(f"{site.url}/instances/{KEY}")
    form = page.locator('form[data-trigger="meeting_set"]')
    field = form.locator('input[name="data.meeting_date"]')
    assert field.get_attribute("type") == "text"
    assert RANGE_TH in form.inner_text()
    field.fill("1999-01-01")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#advance-error")
    said = page.locator("#advance-error").inner_text()
    assert RANGE_TH in said and "1999-01-01" in said
    assert page.locator("#history tbody tr[data-seq]").count() == 0
    site.shot("date-refused")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    site.shot("date-refused-phone")
    form = page.locator('form[data-trigger="meeting_set"]')
    form.locator('input[name="data.meeting_date"]').fill("๒๐ ม.ค. ๖๘")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('#history tr[data-seq="1"]')
    row = page.locator('#history tr[data-seq="1"]')
    assert "20 มกราคม 2568" in row.inner_text()  # the day stored, shown in BE
    assert row.locator("[data-day]").get_attribute("data-day") == "2025-01-20"
    site.shot("date-taken-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    site.shot("date-taken")
