"""Send back in a real headless Chromium: the provincial officer returns a district's
workshop step with a comment from the instance page (htmx, in place); the history shows
the send-back and its comment, the district officer sees the step current again."""

from __future__ import annotations

import pytest

from tests.test_web_browser import KEY, OFFICER, PROVINCE, Site, browser, site  # noqa: F401 - the fixtures
from tests.world import evidence_of

pytestmark = pytest.mark.browser


def test_the_province_sends_the_workshop_back_with_a_comment(site: Site) -> None:  # noqa: F811
    actors = site.store.actors_in("2401")
    cd = actors["district_cd_office"]
    site.store.engine.advance(KEY, "meeting_set", cd)
    site.store.engine.advance(
        KEY,
        "workshop_held",
        cd,
        evidence=evidence_of([("attendance", site.store.pdf)]),
        data={"participants": 25, "workshop_date": "2025-02-03"},
    )
    page = site.page
    site.log_in(PROVINCE)
    page.goto(f"{site.url}/instances/{KEY}")
    assert page.get_attribute('li[aria-current="step"]', "data-step") == "evaluate"
    form = page.locator("form#send-back")
    assert form.locator("select[name=to]").input_value() == "workshop"
    form.locator("textarea[name=comment]").fill("รายชื่อผู้เข้าร่วมไม่ครบ")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('#history tr[data-trigger="send_back"]')
    row = page.locator('#history tr[data-trigger="send_back"]')
    assert "ส่งกลับแก้ไข" in row.inner_text() and "รายชื่อผู้เข้าร่วมไม่ครบ" in row.inner_text()
    assert page.url.endswith(f"/instances/{KEY}")  # swapped in place
    # the step returned told by its label, not its code; the swap left one of each form
    assert "ขั้นที่ส่งกลับให้ทำใหม่: จัดประชุมเชิงปฏิบัติการแล้ว" in row.inner_text()
    assert "returned" not in row.inner_text() and "workshop_held" not in row.inner_text()
    assert page.locator("form#withdraw-form").count() == 1
    assert page.get_attribute('li[aria-current="step"]', "data-step") == "workshop"
    site.shot("instance-sent-back")
    site.log_in(OFFICER)
    page.goto(f"{site.url}/instances/{KEY}")
    assert page.get_attribute('li[aria-current="step"]', "data-step") == "workshop"
    assert page.locator('form[data-trigger="workshop_held"]').is_visible()
    assert page.locator("form#send-back").count() == 0
