"""In a browser: the header's search box leads to the results page, where the hit is shown
with its words highlighted; a hidden comment holding the same words is never shown."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.models import User
from deliberation.services import moderation

from ..e2e.livesite import NOT_LOOPBACK

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_header_search_finds_a_comment_highlighted_and_never_a_hidden_one(browser, cast_site):
    with cast_site(SEGMENT_ON_WRITE=True) as site:  # search reads the words stored on write
        shown = site.post("p0", "電池交換站應該普及到每個里。")
        hidden = site.post("p1", "電池交換站的內容被隱藏了。")
        with site.app.app_context():
            moderator = db.session.get(User, site.ids["moderator"])
            moderation.act_on_comment(
                db.session, hidden["id"], actor=moderator, action="hide", reason="spam"
            )
            db.session.commit()
            db.session.remove()

        context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-TW")
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        page = context.new_page()
        page.goto(site.url + "/")
        page.locator("#header-q").fill("電池交換站")
        page.locator("#header-q").press("Enter")
        page.wait_for_url("**/search?q=*")

        hit = page.locator(f"#result-c{shown['id']}")
        assert hit.is_visible()
        assert "普及到每個里" in hit.inner_text()
        marks = hit.locator("mark").all_inner_texts()
        assert marks and "".join(marks) in "電池交換站"  # the query's words, highlighted
        assert page.locator(f"#result-c{hidden['id']}").count() == 0
        assert "被隱藏了" not in page.content()
        assert page.locator("#header-q").input_value() == "電池交換站"  # kept in the box
        context.close()
