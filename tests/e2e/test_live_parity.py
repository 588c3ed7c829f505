"""A comment that arrives live looks and works like one the server rendered: the "imported from"
marker, the moderator's pin (and its place at the top), an Edit link for its author only, and a
Flag control for everyone logged in but its author."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.models import Flag

from .livesite import open_page, wait_live

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORIGINAL = "https://www.facebook.com/ndc.gov.tw/posts/123456"


def _origin(page, comment_id: int) -> dict:  # type: ignore[no-untyped-def]
    """What a reader sees of a comment's origin marker (None for fields it does not show)."""
    box = page.locator(f"#c{comment_id} > .meta > .origin")
    assert box.count() == 1
    link = box.locator("a.origin-link")
    time = box.locator(".origin-date time")
    return {
        "badge": box.locator(".badge-imported").inner_text(),
        "href": link.get_attribute("href") if link.count() else None,
        "when": time.get_attribute("datetime") if time.count() else None,
        "text": re.sub(r"\s+", " ", box.inner_text()).strip(),
    }


def _pinned(page, comment_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(f"#c{comment_id} > .meta > .badge-pinned").all_inner_texts()


def _order(page) -> list[int]:  # type: ignore[no-untyped-def]
    """Top-level comment ids in the order the page shows them."""
    ids = page.eval_on_selector_all(
        ".comments > article.comment", "nodes => nodes.map(n => n.dataset.commentId)"
    )
    return [int(i) for i in ids]


def _wait_order(page, expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "ids => JSON.stringify([...document.querySelectorAll('.comments > article.comment')]"
        ".map(n => Number(n.dataset.commentId))) === JSON.stringify(ids)",
        arg=expected,
        timeout=5000,
    )


def test_live_comments_show_origin_pin_and_flag_like_server_rendered_ones(
    browser,
    cast_site,
):
    with cast_site() as site:
        reader_ctx, reader = open_page(browser, site, "p1")
        author_ctx, author = open_page(browser, site, "p0")
        mod_ctx, moderator = open_page(browser, site, "moderator")

        # A post gathered on Facebook, imported by the agency's staff, arrives live.
        r = site.api(
            "staff",
            "POST",
            f"/api/v1/threads/{site.thread_id}/imports",
            platform="facebook",
            url=ORIGINAL,
            author="臉書網友",
            posted_at="2026-01-05T09:30:00+08:00",
            text="從臉書收集來的意見：希望延長公告期。",
        )
        assert r.status_code == 201, r.text[:300]
        imported = r.json()["comment"]["id"]
        reader.locator(f"#c{imported} .comment-body", has_text="延長公告期").wait_for(timeout=5000)
        live_origin = _origin(reader, imported)
        assert live_origin["badge"] == "匯入自 Facebook"
        assert live_origin["href"] == ORIGINAL
        assert live_origin["when"] is not None

        # A comment by another user: the reader may flag it, its author may not.
        posted = site.post("p0", "公告期三十天太短了。")
        mine = author.locator(f"#c{posted['id']}")
        theirs = reader.locator(f"#c{posted['id']}")
        theirs.wait_for(timeout=5000)
        mine.wait_for(timeout=5000)
        assert theirs.locator("details.flag").count() == 1
        assert mine.locator("details.flag").count() == 0
        # Its author may edit it, as on a page the server renders; nobody else sees the link.
        assert mine.locator(".edit-link").get_attribute("href") == f"/comments/{posted['id']}/edit"
        assert theirs.locator(".edit-link").count() == 0
        assert _pinned(reader, posted["id"]) == []
        moderate = moderator.locator(f"#c{posted['id']} > .meta .moderate-link")
        moderate.wait_for(timeout=5000)
        assert moderate.get_attribute("href") == f"/moderation/comments/{posted['id']}"
        assert reader.locator(".moderate-link").count() == 0

        # A moderator pins it: the marker appears live; unpinned, it goes.
        pin = site.api(
            "moderator", "POST", f"/api/v1/moderation/comments/{posted['id']}/actions", action="pin"
        )
        assert pin.status_code == 200, pin.text[:300]
        reader.wait_for_function(
            f"() => document.querySelector('#c{posted['id']} > .meta > .badge-pinned') !== null",
            timeout=5000,
        )
        live_pinned = _pinned(reader, posted["id"])
        assert live_pinned == ["管理員置頂"]
        _wait_order(reader, [posted["id"], imported])  # pinned comments lead the thread
        unpin = site.api(
            "moderator",
            "POST",
            f"/api/v1/moderation/comments/{posted['id']}/actions",
            action="unpin",
        )
        assert unpin.status_code == 200
        reader.wait_for_function(
            f"() => document.querySelector('#c{posted['id']} > .meta > .badge-pinned') === null",
            timeout=5000,
        )
        _wait_order(reader, [imported, posted["id"]])  # back in its place, oldest first
        site.api(
            "moderator", "POST", f"/api/v1/moderation/comments/{posted['id']}/actions", action="pin"
        )
        reader.wait_for_function(
            f"() => document.querySelector('#c{posted['id']} > .meta > .badge-pinned') !== null",
            timeout=5000,
        )
        assert reader.evaluate("() => window.__sameDocument === true")  # all of it without reload

        # Flagging through the live-inserted control works like through a rendered one.
        theirs.locator("details.flag > summary").click()
        form = theirs.locator("form.flag-form")
        assert form.get_attribute("action") == f"/comments/{posted['id']}/flag"
        form.locator("select[name=reason]").select_option("spam")
        form.locator("button[type=submit]").click()
        reader.wait_for_load_state("load")
        reader.locator(".flash-success", has_text="管理員會審核這則留言").wait_for(timeout=5000)
        with site.app.app_context():
            flags = db.session.scalars(select(Flag).where(Flag.comment_id == posted["id"])).all()
            assert [(f.user_id, f.reason) for f in flags] == [(site.ids["p1"], "spam")]
            db.session.remove()

        # The page the server renders now shows the same markers the live page built.
        wait_live(reader)
        assert _origin(reader, imported) == live_origin
        assert _pinned(reader, posted["id"]) == live_pinned
        assert _order(reader) == [posted["id"], imported]
        author.reload()
        assert author.locator(f"#c{posted['id']} .edit-link").get_attribute("href") == (
            f"/comments/{posted['id']}/edit"
        )
        # Flagged once: the rendered page says so instead of offering the form again (issue 21).
        assert reader.locator(f"#c{posted['id']} details.flag").count() == 0
        assert reader.locator(f"#c{posted['id']} .badge-flagged").inner_text() == "已檢舉"
        assert reader.locator(f"#c{imported} details.flag").count() == 1
        reader_ctx.close(), author_ctx.close(), mod_ctx.close()
