"""Issue 13 in a browser: a demo staff member meets two-factor enrolment after the password,
scans (reads) the key, enrols with a code computed like an authenticator app, and posts an
official answer that carries the 「官方」 badge — on their page and, live, on a reader's page. A
newcomer who registers as 「國發會 承辦人 林科員」 is refused with a clear message."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest

from app.demo import DEMO_PASSWORD

from .livesite import demo_site, wait_live

ANSWER = "您好，本會已收到這則建議，將在政策溝通成效中說明處理情形。"


@pytest.fixture
def site(demo_database_url) -> Iterator[str]:
    """The demo, with the production rule that staff must use a second factor."""
    with demo_site(demo_database_url, TWO_FACTOR_REQUIRED=True) as url:
        yield url


def test_staff_enrol_totp_then_post_an_official_answer_that_shows_the_badge(browser, site):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-TW")
    page = context.new_page()
    page.goto(site + "/login")
    page.fill("input[name=email]", "staff@demo.zhongyi.tw")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    # The password alone is not enough: enrolment starts, with a QR code drawn on this site.
    assert page.url.endswith("/login/two-factor/setup")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text().strip()
    # Anything else treats the browser as logged out until enrolment is done.
    page.goto(site + "/me")
    assert "/login" in page.url
    page.goto(site + "/login/two-factor/setup")
    assert page.locator("#totp-secret").inner_text().strip() == secret  # the same key
    page.fill("#code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    codes = page.locator(".recovery-codes li")
    assert codes.count() == 10
    with page.expect_navigation():
        page.click("text=我已妥善保存")

    # A reader watches the general discussion of the demo draft, live.
    page.goto(site + "/")
    page.locator("main a[href^='/consultations/']").first.click()
    page.wait_for_load_state("load")
    thread_url = page.locator("p.thread-link a").get_attribute("href")
    reader = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-TW")
    watcher = reader.new_page()
    watcher.goto(site + thread_url)
    wait_live(watcher)

    # The staff member answers the first comment.
    page.goto(site + thread_url)
    first = page.locator("#comments article.comment").first
    reply = first.locator(":scope > details.reply")
    reply.locator("summary").click()
    reply.locator("textarea").fill(ANSWER)
    with page.expect_navigation():
        reply.locator("button[type=submit]").click()
    mine = page.locator("article.comment", has_text=ANSWER).last
    badge = mine.locator(":scope > .meta > .official-mark")
    assert badge.locator(".badge-official").inner_text() == "官方"
    assert "國家發展委員會" in badge.inner_text()

    # The reader's page shows the answer with the badge without a reload (the live event).
    live = watcher.locator("article.comment", has_text=ANSWER)
    live.last.locator(":scope > .meta").wait_for(timeout=10_000)
    assert watcher.evaluate("() => window.__sameDocument === true")
    mark = live.last.locator(":scope > .meta > .official-mark")
    assert "官方" in mark.inner_text() and "國家發展委員會" in mark.inner_text()
    context.close()
    reader.close()


def test_registering_with_an_impersonating_display_name_is_refused(browser, site):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-TW")
    page = context.new_page()
    page.goto(site + "/register")
    page.fill("input[name=email]", "impostor@example.tw")
    page.fill("input[name=display_name]", "國發會 承辦人 林科員")
    page.fill("input[name=password]", "a long enough password")
    for box in page.locator("main form input[type=checkbox]").all():
        box.check()  # whatever consent the form asks for
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    alert = page.get_by_role("alert")
    assert alert.count() >= 1
    assert "官方職務" in alert.first.inner_text()
    # Nobody is logged in and the name is nowhere.
    assert page.locator("a[href='/me']").count() == 0
    context.close()
