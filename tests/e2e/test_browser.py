"""A newcomer in a real browser: register, read the draft, comment, reply, vote, switch language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.mailbox import links

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_a_citizen_registers_comments_and_votes(browser, live_server, mailbox):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-TW")
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    page.get_by_role("link", name=re.compile("強化政府治理效能")).first.click()
    page.wait_for_url(re.compile(r"/consultations/\d+"))
    assert page.get_by_role("heading", name=re.compile("政策形成")).count() >= 1

    page.goto(live_server + "/register")
    page.locator("#email").fill("newcomer@example.tw")
    page.locator("#display_name").fill("新來的市民")
    page.locator("#password").fill("a long password")
    page.locator("#consent").check()
    page.locator("form button[type=submit]").click()
    # Comments and votes wait for the verified address: follow the mailed link, then log in.
    page.wait_for_url(re.compile(r"/login"))
    [mail] = mailbox.wait_for("newcomer@example.tw")
    page.goto(links(mail)[0])
    page.wait_for_url(re.compile(r"/login"))
    page.locator("#email").fill("newcomer@example.tw")
    page.locator("#password").fill("a long password")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_text("新來的市民").count() >= 1

    page.goto(live_server + "/threads/1")
    page.locator("#body-new").fill("我建議把**資料開放**的格式寫清楚。")
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    mine = page.locator("article.comment", has_text="資料開放的格式")
    assert mine.locator(".comment-body strong").inner_text() == "資料開放"

    # Reply to the first comment through the <details> reply form (keyboard-reachable, no JS needed).
    first = page.locator("article.comment").first
    first.locator("details.reply > summary").first.click()
    first.locator("textarea").first.fill("同意，也請附上期程。")
    first.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".replies article.comment", has_text="同意，也請附上期程").count() == 1

    # Vote through the API without a reload: the count changes in place.
    target = page.locator("article.comment", has_text="資料開放的格式")
    agree = target.locator("button.vote.agree").first
    before = int(agree.locator(".count").inner_text())
    agree.click()
    page.wait_for_function(
        "el => el.classList.contains('chosen')", arg=agree.element_handle(), timeout=5000
    )
    assert int(agree.locator(".count").inner_text()) == before + 1
    page.reload()
    assert (
        int(
            page.locator("article.comment", has_text="資料開放的格式")
            .locator("button.vote.agree .count")
            .first.inner_text()
        )
        == before + 1
    )

    # An empty comment is refused with a message; nothing is lost.
    page.locator("#body-new").fill("   ")
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").count() >= 1

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Join the discussion").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server + "/lang/zh_TW?next=/threads/1")
    page.screenshot(path=str(ARTIFACTS / "thread.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/consultations/1")
    page.screenshot(path=str(ARTIFACTS / "consultation-phone.png"), full_page=False)
    # Readable on a phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
