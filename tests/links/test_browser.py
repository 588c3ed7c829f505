"""Link cards in a real browser: a link in a new comment becomes a card without a reload, on the
writer's page and on every other open page; YouTube links get a sandboxed, privacy-enhanced
frame that a reader can switch off for good; a site without third-party embeds shows cards only.

The app runs in this process with the "thread" jobs backend, so the card is filled in by the
real path: commit -> background job -> fetch (from the fake site on 127.0.0.1) -> links_ready
event -> Socket.IO -> realtime.js. Chromium may reach nothing but 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.links import jobs
from deliberation.linkfetch import FetchError, LinkFetcher

from ..e2e.livesite import LiveSite, open_page, wait_live
from .helpers import FakeSite, offline_resolver, og_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"


class Gate:
    """Holds the background fetch until the test has seen the pending card."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.fetched: list[str] = []

    def open(self) -> None:
        self.event.set()


@pytest.fixture
def gate(fake_site: FakeSite, fetch_policy, monkeypatch) -> Gate:
    """The job's fetcher: the real one, offline but for the fake site, behind a gate."""
    real = LinkFetcher(
        fetch_policy,
        resolver=offline_resolver,
        oembed_endpoints={"youtube": f"{fake_site.base}/oembed?url="},
    )
    held = Gate()

    def fetch(url: str):
        assert held.event.wait(20), "the test never opened the gate"
        held.fetched.append(url)
        return real(url)

    monkeypatch.setattr(jobs, "make_fetcher", lambda: fetch)
    return held


def _site(cast_site, fetch_policy, **config) -> Iterator[LiveSite]:
    return cast_site(
        JOBS_BACKEND="thread",  # the real, asynchronous path (TestingConfig runs jobs inline)
        LINK_FETCH_ALLOW_HOSTS=fetch_policy.allow_hosts,
        **config,
    )


def _post_through_the_page(page, site: LiveSite, body: str) -> int:
    page.locator("#body-new").fill(body)
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_url(lambda address: "#c" in address)
    wait_live(page)
    return int(page.url.rsplit("#c", 1)[1])


def test_a_link_in_a_new_comment_fills_in_as_a_card_on_every_open_page_without_reload(
    browser,
    fake_site,
    fetch_policy,
    gate,
    cast_site,
):
    url = fake_site.page(
        "/draft-notes",
        og_page("草案說明會紀錄", description="國發會公布的說明會紀錄", site="示範新聞"),
    )
    with _site(cast_site, fetch_policy) as site:
        writer_ctx, writer = open_page(browser, site, "p0")
        reader_ctx, reader = open_page(browser, site, "p1")

        comment_id = _post_through_the_page(writer, site, f"說明會的紀錄在這裡：<{url}>")
        # The comment is there at once, its card still loading (the fetch is held).
        mine = writer.locator(f"#c{comment_id}")
        assert "說明會的紀錄在這裡" in mine.locator(".comment-body").inner_text()
        assert mine.locator(".link-card.link-pending").count() == 1
        theirs = reader.locator(f"#c{comment_id}")
        theirs.wait_for(timeout=5000)  # inserted live on the other page
        theirs.locator(".link-card.link-pending").wait_for(timeout=5000)
        assert gate.fetched == []

        gate.open()
        for page in (writer, reader):
            card = page.locator(f"#c{comment_id} .link-card.link-ready")
            card.wait_for(timeout=10000)
            assert card.locator(".link-card-title").inner_text() == "草案說明會紀錄"
            assert card.locator(".link-card-site").inner_text() == "示範新聞"
            assert card.locator(".link-card-desc").inner_text() == "國發會公布的說明會紀錄"
            assert card.locator("a.link-card-main").get_attribute("href") == url
            assert page.locator(f"#c{comment_id} .link-card").count() == 1
            assert page.evaluate("() => window.__sameDocument === true")  # no reload
        assert gate.fetched == [url]

        ARTIFACTS.mkdir(exist_ok=True)
        mine.scroll_into_view_if_needed()
        writer.screenshot(path=str(ARTIFACTS / "link-card.png"))  # docs/screenshots has a copy
        writer_ctx.close(), reader_ctx.close()


def _assert_privacy_frame(frame) -> None:
    assert frame.get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert frame.get_attribute("sandbox") == SANDBOX
    assert frame.get_attribute("loading") == "lazy"
    assert frame.get_attribute("referrerpolicy") == "no-referrer"


def test_a_youtube_link_gets_a_sandboxed_nocookie_frame_that_a_reader_can_switch_off_for_good(
    browser,
    fetch_policy,
    gate,
    cast_site,
):
    gate.open()
    with _site(cast_site, fetch_policy) as site:
        reader_ctx, reader = open_page(browser, site, "p1")
        posted = site.post("p0", f"這支影片說明了草案 <{YOUTUBE}>")
        comment = reader.locator(f"#c{posted['id']}")
        comment.locator(".link-card.link-ready").wait_for(timeout=10000)
        # Built live by links.js, then the same from the server's template after a reload.
        _assert_privacy_frame(comment.locator("iframe"))
        assert comment.locator(".link-card-title").inner_text() == "影片標題（oEmbed）"
        reader.reload()
        wait_live(reader)
        _assert_privacy_frame(comment.locator("iframe"))

        toggle = comment.locator("button.link-embed-toggle")
        assert toggle.get_attribute("aria-expanded") == "true"
        toggle.click()
        frame = comment.locator("iframe")
        assert frame.get_attribute("src") is None  # unloaded, not just out of sight
        assert frame.is_hidden()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.inner_text() == "顯示嵌入內容"

        # The choice is remembered: after a reload, and for embeds that arrive live.
        reader.reload()
        wait_live(reader)
        assert comment.locator("iframe").get_attribute("src") is None
        assert comment.locator("button.link-embed-toggle").get_attribute("aria-expanded") == "false"
        another = site.post("p0", f"再貼一次 <{YOUTUBE}>")
        late = reader.locator(f"#c{another['id']}")
        late.locator(".link-card.link-ready").wait_for(timeout=10000)
        assert late.locator("iframe").get_attribute("src") is None
        assert late.locator(".link-card-title").inner_text() == "影片標題（oEmbed）"

        # And undone the same way.
        comment.locator("button.link-embed-toggle").click()
        _assert_privacy_frame(comment.locator("iframe"))
        _assert_privacy_frame(late.locator("iframe"))
        reader.reload()
        wait_live(reader)
        _assert_privacy_frame(comment.locator("iframe"))
        reader_ctx.close()


def test_with_third_party_embeds_off_a_youtube_link_is_only_a_card(
    browser,
    fetch_policy,
    gate,
    cast_site,
):
    gate.open()
    with _site(cast_site, fetch_policy, THIRD_PARTY_EMBEDS=False) as site:
        reader_ctx, reader = open_page(browser, site, "p1")
        writer_ctx, writer = open_page(browser, site, "p0")
        comment_id = _post_through_the_page(writer, site, f"影片在此 <{YOUTUBE}>")
        for page in (reader, writer):
            card = page.locator(f"#c{comment_id} .link-card.link-ready")
            card.wait_for(timeout=10000)
            assert card.locator(".link-card-title").inner_text() == "影片標題（oEmbed）"
            assert page.locator(f"#c{comment_id} iframe").count() == 0
            assert page.locator("button.link-embed-toggle").count() == 0
        writer.reload()
        assert writer.locator(f"#c{comment_id} .link-card.link-ready").count() == 1
        assert writer.locator("iframe").count() == 0
        csp = requests.get(f"{site.url}/threads/{site.thread_id}", timeout=10).headers[
            "Content-Security-Policy"
        ]
        assert "youtube" not in csp
        reader_ctx.close(), writer_ctx.close()


def test_a_pasted_bare_youtube_url_becomes_a_link_with_its_embed_even_if_the_card_fails(
    browser,
    fetch_policy,
    cast_site,
    monkeypatch,
):
    def fail(url: str):
        raise FetchError("unreachable")

    monkeypatch.setattr(jobs, "make_fetcher", lambda: fail)  # YouTube cannot be reached
    with _site(cast_site, fetch_policy) as site:
        writer_ctx, writer = open_page(browser, site, "p0")
        comment_id = _post_through_the_page(writer, site, f"大家看這支影片{YOUTUBE} 講得很清楚")
        comment = writer.locator(f"#c{comment_id}")
        link = comment.locator(f'.comment-body a[href="{YOUTUBE}"]')
        assert link.inner_text() == YOUTUBE
        assert "講得很清楚" in comment.locator(".comment-body").inner_text()
        comment.locator(".link-card.link-failed").wait_for(timeout=10000)  # filled in live
        _assert_privacy_frame(comment.locator("iframe"))
        writer.reload()
        wait_live(writer)
        _assert_privacy_frame(comment.locator("iframe"))
        writer_ctx.close()
