"""A quick poll in a browser on the demo: a citizen answers (with the optional background
questions and consent), then staff see the unweighted and weighted results."""

from __future__ import annotations

import pytest

from app.demo import DEMO_PASSWORD
from app.demo.content import TITLE
from app.demo.polls import TITLE as POLL_TITLE

pytestmark = pytest.mark.browser


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.content()[:500]


def test_a_citizen_answers_the_poll_and_staff_see_weighted_and_unweighted_results(
    browser, live_server
):
    base = live_server
    citizen = browser.new_context(locale="zh-TW").new_page()
    _login(citizen, base, "citizen@demo.zhongyi.tw")
    citizen.goto(base + "/")
    citizen.click(f"text={TITLE}")
    with citizen.expect_navigation():
        citizen.click(f"section.poll-card a:has-text('{POLL_TITLE}')")
    citizen.locator("fieldset").nth(0).locator("label:has-text('支持')").first.click()
    citizen.locator("fieldset").nth(1).locator("label:has-text('民眾參與')").click()
    citizen.locator("fieldset").nth(2).locator("label:has-text('5')").click()
    citizen.click("details.poll-background summary")
    citizen.select_option("#demo_0", "65 歲以上")
    citizen.select_option("#demo_1", "女")
    citizen.check("input[name=consent]")
    with citizen.expect_navigation():
        citizen.click("form.poll-form button[type=submit]")
    assert "謝謝您：答案已記錄。" in citizen.content()
    assert citizen.locator("p.poll-mine").count() == 1
    consultation_path = citizen.url.rsplit("/poll", 1)[0].replace(base, "")

    staff = browser.new_context(locale="zh-TW").new_page()
    _login(staff, base, "staff@demo.zhongyi.tw")
    staff.goto(f"{base}/staff{consultation_path}/poll")
    results = staff.locator("section.poll-results")
    assert "共 6 人填答" in results.inner_text()
    assert results.locator("th:has-text('未加權')").count() == 3
    assert results.locator("th:has-text('加權後')").count() == 3
    assert results.locator("dd.poll-deff").inner_text().strip()
    raw = results.locator("td.raw").first.inner_text()
    weighted = results.locator("td.weighted").first.inner_text()
    assert raw.endswith("%") and weighted.endswith("%")
    table = staff.locator("table.representativeness-table")
    assert table.locator("th:has-text('65 歲以上')").count() == 1
