"""The contacts page in Chromium: a province office adds a contact (a bad e-mail is
named by its field, what was typed kept), sends a test message, and the page works at
1280 and 390 px wide (screenshots in test-output/web)."""

from __future__ import annotations

import pytest

from tests.test_web_browser import PROVINCE, Site, browser, site  # noqa: F401, F811 - the fixtures

pytestmark = pytest.mark.browser


def test_a_province_manages_a_contact(site: Site) -> None:  # noqa: F811
    page = site.page
    site.log_in(PROVINCE)
    page.click("#nav-contacts")
    page.wait_for_url("**/contacts")
    page.fill("#c-area_code", "2401")
    page.select_option("#c-role", "district_cd_office")
    page.select_option("#c-channel", "email")
    page.fill("#c-address", "ไม่ใช่อีเมล")
    page.fill("#c-name", "พช.อำเภอเมือง")
    page.click("#contact-save")
    page.wait_for_selector("#problem-address")
    assert page.input_value("#c-name") == "พช.อำเภอเมือง"  # kept as typed
    assert "ไม่ใช่ที่อยู่อีเมล" in page.inner_text("#problem-address")
    page.select_option("#c-channel", "log")
    page.fill("#c-address", "cd2401@example.go.th")
    page.click("#contact-save")
    page.wait_for_selector("#contact-saved")
    assert "ยังไม่เคยส่ง" in page.inner_text("#contact-list")
    page.click("button.test-send")
    page.wait_for_selector("#contact-tested")
    assert page.get_attribute("#contact-tested", "data-kind") == "delivered"
    assert "ส่งถึงแล้ว" in page.inner_text("#contact-list td.last-delivery")
    site.shot("contacts-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    site.shot("contacts-390")
    page.click("#contact-list a.delete")
    page.wait_for_selector("#confirm-delete")
    page.click("#confirm-delete-yes")
    page.wait_for_selector("text=ยังไม่มีผู้ติดต่อ")
