"""The bulk page in headless Chromium: three villages' forum dates entered on one form,
one of them left to the "same for all" value, at desk and phone widths."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from plancycle.workflow.reports import history
from tests.test_web_browser import OFFICER, Site, browser, site  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def _query(keys: list[str]) -> str:
    return urlencode(
        [("process", "village_plan"), ("trigger", "calendar_set")] + [("key", k) for k in keys]
    )


def test_bulk_page_sets_three_forum_dates(site: Site) -> None:  # noqa: F811
    page = site.page
    keys = [f"2568/village_plan/240101{n:02d}" for n in range(1, 4)]
    site.log_in(OFFICER)
    page.goto(f"{site.url}/bulk?{_query(keys)}")
    assert page.locator("#bulk-rows tbody tr").count() == 3
    page.fill("#row-0-forum_date", "2025-01-20")
    page.fill("#row-1-forum_date", "2025-01-27")
    page.fill("#all-forum_date", "2025-02-03")  # row 3 is left empty: it takes this one
    site.shot("bulk-filled")
    page.click("#bulk-submit")
    page.wait_for_selector("#bulk-done")
    assert page.locator('#bulk-rows tr[data-status="written"]').count() == 3
    site.shot("bulk-saved")
    dates = [history(site.store.engine.db, k)[1][-1].data["forum_date"] for k in keys]
    assert dates == ["2025-01-20", "2025-01-27", "2025-02-03"]


def test_bulk_page_on_a_phone_shows_a_refused_row(site: Site) -> None:  # noqa: F811
    page = site.page
    keys = [f"2568/village_plan/240102{n:02d}" for n in range(1, 4)]
    site.log_in(OFFICER)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/bulk?{_query(keys)}")
    page.fill("#row-0-forum_date", "2025-01-20")  # the others are left empty, and no
    page.click("#bulk-submit")  # "same for all" value: refused, nothing written
    page.wait_for_selector("#bulk-error")
    assert page.locator('#bulk-rows tr[data-status="refused"]').count() == 2
    assert page.locator("#row-0-forum_date").input_value() == "2025-01-20"  # kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    site.shot("bulk-phone-refused")
    assert all(len(history(site.store.engine.db, k)[1]) == 0 for k in keys)
