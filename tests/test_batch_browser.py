"""The bulk page in headless Chromium: three villages' forum dates entered on one form,
one of them left to the "same for all" value, at desk and phone widths; and a filled
sheet uploaded from the inbox's link, checked (a bad row named, nothing written), then
written."""

from __future__ import annotations

import csv
import io
from pathlib import Path
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


def _sheet(site: Site, tmp: Path, dates: list[str]) -> Path:  # noqa: F811
    """The inbox's sheet for the district's first villages, filled with ``dates``."""
    got = site.page.request.get(f"{site.url}/templates/village_plan/calendar_set.csv?area=240103")
    assert got.status == 200
    lines = list(csv.reader(io.StringIO(got.body().decode("utf-8-sig"))))
    head, body = lines[:2], lines[2 : 2 + len(dates)]
    for row, day in zip(body, dates, strict=True):
        row[lines[0].index("forum_date")] = day
    out = io.StringIO()
    csv.writer(out).writerows([*head, *body])
    path = tmp / "calendar.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _written(site: Site) -> int:  # noqa: F811
    keys = [f"2568/village_plan/240103{n:02d}" for n in range(1, 4)]
    return sum(len(history(site.store.engine.db, k)[1]) for k in keys)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_uploaded_sheet_is_checked_then_written(
    site: Site,  # noqa: F811
    tmp_path: Path,
    width: int,
) -> None:
    page = site.page
    site.log_in(OFFICER)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.url}/inbox")
    page.click("a.sheet-upload >> nth=0")
    page.wait_for_selector("#sheet-upload")
    before = _written(site)
    page.set_input_files("#sheet-file", str(_sheet(site, tmp_path, ["20/01/2568", "31/02/2568"])))
    page.click("#sheet-check")
    page.wait_for_selector("#sheet-summary")
    refused = page.locator('#sheet-rows tr[data-status="refused"]')
    assert refused.count() == 1 and "แถว 4" in refused.inner_text()
    assert page.locator("#sheet-confirm").count() == 0 and _written(site) == before
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    site.shot(f"sheet-refused-{width}")
    page.set_input_files("#sheet-file", str(_sheet(site, tmp_path, ["20/01/2568", "22/01/2568"])))
    page.click("#sheet-check")
    page.wait_for_selector("#sheet-confirm")
    assert page.locator('#sheet-rows tr[data-status="valid"]').count() == 2
    assert _written(site) == before
    site.shot(f"sheet-checked-{width}")
    page.click("#sheet-write")
    page.wait_for_selector('#sheet-summary[data-complete="true"]')
    assert page.locator('#sheet-rows tr[data-status="written"]').count() == 2
    assert _written(site) == before + 2
    site.shot(f"sheet-written-{width}")
