"""Live arrivals for people who cannot see them arrive (issue 21): the header count follows every
visible comment, a screen reader hears "1 new comment" (not "1 new reply") through a polite live
region that sums up a busy thread instead of reading every post; a refused vote says why; the
navigation is large enough to tap on a phone."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.models import User
from deliberation.services import moderation

from .livesite import NOT_LOOPBACK, PASSWORD, live_site, open_page, wait_live

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COUNT = "document.querySelector('.comment-total').textContent.trim()"
ANNOUNCED = "document.querySelector('.live-announce').textContent.trim()"


def _until(page, expression: str, value: str, timeout: int = 5000) -> None:  # type: ignore[no-untyped-def]
    """Wait until `expression` is `value` (a function, not a string: the page's CSP has no eval)."""
    page.wait_for_function(f"(v) => {expression} === v", arg=value, timeout=timeout)


def test_live_arrivals_move_the_count_and_are_announced_once_per_burst(browser, empty_database_url):
    with live_site(empty_database_url) as site:
        context, page = open_page(browser, site, "p1")
        region = page.locator(".live-announce")
        assert region.get_attribute("aria-live") == "polite"
        assert page.evaluate(COUNT) == "0 則留言"
        page.evaluate(
            """() => { window.__announcements = 0;
              new MutationObserver(() => { window.__announcements += 1; })
                .observe(document.querySelector('.live-announce'),
                         {childList: true, characterData: true, subtree: true}); }"""
        )

        first = site.post("p0", "第一則留言")
        _until(page, COUNT, "1 則留言")
        _until(page, ANNOUNCED, "1 則新留言")
        assert page.evaluate("window.__announcements") == 1

        # A burst: three comments and two replies. The count follows each one; the region
        # waits for its quiet period and then says it in one sentence.
        for text in ("第二則", "第三則", "第四則"):
            site.post("p0", text)
        for text in ("回覆一", "回覆二"):
            site.post("p0", text, parent_id=first["id"])
        _until(page, COUNT, "6 則留言")
        page.wait_for_timeout(2500)
        assert page.evaluate("window.__announcements") == 1  # not one per post
        _until(page, ANNOUNCED, "3 則新留言，以及 2 則新回覆", timeout=15000)
        assert page.evaluate("window.__announcements") == 2

        # A hidden comment leaves the count.
        r = site.api(
            "moderator",
            "POST",
            f"/api/v1/moderation/comments/{first['id']}/actions",
            action="hide",
            reason="spam",
        )
        assert r.status_code == 200, r.text[:300]
        _until(page, COUNT, "5 則留言")
        context.close()


def test_a_muted_readers_vote_click_says_why(browser, empty_database_url):
    with live_site(empty_database_url) as site:
        posted = site.post("p0", "請投票")
        with site.app.app_context():
            moderation.sanction_user(
                db.session,
                site.ids["p1"],
                actor=db.session.get(User, site.ids["moderator"]),
                kind="mute",
                reason="spam",
                days=2,
            )
            db.session.commit()
        context, page = open_page(browser, site, "p1")
        assert page.locator("#body-new").count() == 0
        agree = page.locator(f"#c{posted['id']} button.vote.agree")
        agree.click(force=True)  # aria-disabled: still clickable, so it can say why
        message = page.locator(f"#c{posted['id']} .action-message[role=alert]")
        message.wait_for(timeout=5000)
        assert "禁言" in message.inner_text() and "UTC" not in message.inner_text()
        assert agree.locator(".count").inner_text() == "0"
        context.close()


def test_the_navigation_links_are_at_least_24px_tall_on_a_phone(browser, empty_database_url):
    with live_site(empty_database_url) as site:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-TW")
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        page = context.new_page()
        page.goto(site.url + "/login")
        page.locator("#email").fill(site.emails["moderator"])
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(site.url + "/")
        page.goto(site.url + f"/threads/{site.thread_id}")
        wait_live(page)
        heights = page.eval_on_selector_all(
            ".main-nav a, .main-nav button",
            "nodes => nodes.map(n => [n.textContent.trim(), n.getBoundingClientRect().height])",
        )
        assert len(heights) >= 5
        small = [(name, h) for name, h in heights if h < 24]
        assert not small, small
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
