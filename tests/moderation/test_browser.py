"""A moderator works the queue end to end in Chromium; the public reads the transparency page.

With ZHONGYI_SCREENSHOTS=1 the test also writes the screenshots used in docs/moderation.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    if os.environ.get("ZHONGYI_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"moderation-{name}.png"), full_page=True)


def _login(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _logout(page) -> None:
    page.locator("form.inline button.link-button").click()
    page.wait_for_load_state("load")


def test_a_moderator_works_the_queue_and_the_public_sees_the_count(browser, live_server):
    base = live_server
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-TW")
    # A citizen posts personal data (held) and flags someone else's comment.
    _login(page, base, "citizen@demo.zhongyi.tw")
    page.goto(base + "/threads/1")
    page.locator("#body-new").fill("有問題請打我手機 0912-345-678，或寫信 me@example.tw")
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    mine = page.locator("article.comment", has_text="0912-345-678")
    assert mine.locator(".badge-pending").count() == 1
    first = page.locator("article.comment").first
    flag = first.locator(":scope > .comment-actions > details.flag")
    flag.locator("summary").click()
    flag.locator("select[name=reason]").select_option("off_topic")
    flag.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".flash-success").count() == 1
    _shot(page, "thread-flag")
    _logout(page)

    # The moderator opens the queue from the navigation and hides the held comment.
    _login(page, base, "moderator@demo.zhongyi.tw")
    page.locator("a.nav-moderation").click()
    page.wait_for_url(re.compile(r"/moderation/"))
    item = page.locator(".mod-item", has_text="0912-345-678")
    assert item.count() == 1
    assert (
        page.locator(".mod-item", has_text="離題").count()
        + page.locator(".mod-item .mod-flags").count()
        >= 1
    )
    _shot(page, "queue")
    item.locator("a", has_text=re.compile("#\\d+")).first.click()
    page.wait_for_url(re.compile(r"/moderation/comments/\d+"))
    _shot(page, "comment")
    page.locator("button[data-action=redact]").click()
    page.wait_for_load_state("load")
    assert "0912-345-678" not in page.locator("#moderated-text").inner_text()
    page.locator("#hide-reason").select_option("personal_data")
    page.locator("#hide-note").fill("請勿公開個人聯絡方式")
    page.locator("button[data-action=hide]").click()
    page.wait_for_load_state("load")
    assert page.locator("h1 .badge-hidden").count() == 1
    page.goto(base + "/moderation/log")
    assert page.locator(".mod-log tbody tr").count() >= 3
    _shot(page, "log")
    _logout(page)

    # The author reads the notice and appeals once.
    _login(page, base, "citizen@demo.zhongyi.tw")
    page.goto(base + "/me/notices")
    assert page.get_by_text("請勿公開個人聯絡方式").count() == 1
    page.locator("details.reply > summary").first.click()
    page.locator("details.reply textarea").first.fill("我已經了解，請協助恢復其他內容。")
    page.locator("details.reply button[type=submit]").first.click()
    page.wait_for_load_state("load")
    _shot(page, "notices")
    _logout(page)

    # The public transparency page counts the hidden comment by its reason.
    page.goto(base + "/consultations/1/transparency")
    assert page.locator('#hidden-by-reason td[data-reason="personal_data"]').inner_text() == "1"
    assert page.locator("#appeals-total").inner_text() == "1"
    _shot(page, "transparency")
    page.goto(base + "/rules")
    _shot(page, "rules")
    page.close()
