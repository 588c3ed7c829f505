"""In a browser: A follows a consultation and comments; B replies; A's header count goes to 1
without a reload; A opens 通知 and lands on the reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.realtime.servers import AppServer, post, prepare_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_server(empty_database_url, tmp_path) -> Iterator[dict]:
    info = prepare_database(empty_database_url, posters=2)
    server = AppServer(empty_database_url, log=tmp_path / "server.log").wait()
    try:
        yield {**info, "url": server.url}
    finally:
        server.stop()


def test_a_reply_raises_my_header_count_live_and_the_notification_leads_to_it(browser, live_server):
    base, thread_id = live_server["url"], live_server["thread_id"]
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-TW")
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#email").fill("p0@example.tw")
    page.locator("#password").fill("long password")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/")

    page.goto(f"{base}/consultations/{live_server['consultation_id']}")
    page.locator("form.follow-form[data-target-type=consultation] button").click()
    page.locator(
        "form.follow-form[data-target-type=consultation] button[aria-pressed=true]"
    ).wait_for()

    mine = post(base, live_server["tokens"][0], thread_id, "補助應該包含二手車。")
    page.wait_for_function("() => window.zhongyiUnread && window.zhongyiUnread.connected")
    badge = page.locator(".nav-notifications .unread-count")
    assert badge.is_hidden()
    page.evaluate("() => { window.__sameDocument = true; }")

    reply = post(
        base, live_server["tokens"][1], thread_id, "同意，二手車也該算。", parent_id=mine["id"]
    )
    page.wait_for_function(
        "() => document.querySelector('.nav-notifications .unread-count').textContent === '1'",
        timeout=5000,
    )
    assert badge.is_visible()
    assert page.evaluate("() => window.__sameDocument === true")  # no reload

    page.locator(".nav-notifications").click()
    page.wait_for_url(base + "/notifications")
    item = page.locator(".notification.unread").first
    assert "發言者1" in item.inner_text() and "同意，二手車也該算" in item.inner_text()
    item.locator("a.notification-link").click()
    page.wait_for_url(f"{base}/comments/{reply['id']}*")
    assert page.locator(f"#c{reply['id']}").is_visible()
    assert badge.is_hidden() or badge.inner_text() == "0"
    context.close()
