"""Two browsers on one thread: replies appear live, and a reader who was offline catches up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from .servers import AppServer, post, prepare_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_socket_server(empty_database_url, tmp_path) -> Iterator[dict]:
    """The app in its own process (threading mode, WebSocket through simple-websocket)."""
    info = prepare_database(empty_database_url, posters=2)
    server = AppServer(empty_database_url, log=tmp_path / "server.log").wait()
    try:
        yield {**info, "url": server.url}
    finally:
        server.stop()


def _open_logged_in(chromium, base: str, email: str, thread_id: int):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1000, "height": 900}, locale="zh-TW")
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("long password")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/")
    page.goto(f"{base}/threads/{thread_id}")
    page.wait_for_function("() => window.zhongyiLive && window.zhongyiLive.socket.connected")
    page.wait_for_function(
        "() => !document.querySelector('.live-offline') || document.querySelector('.live-offline').hidden"
    )
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    return context, page


def test_a_reply_appears_live_in_another_browser_and_survives_going_offline(
    browser,
    live_socket_server,
    tmp_path,
):
    base, thread_id = live_socket_server["url"], live_socket_server["thread_id"]
    first = post(base, live_socket_server["tokens"][0], thread_id, "請問補助對象包含學生嗎？")
    writer_ctx, writer = _open_logged_in(browser, base, "p0@example.tw", thread_id)
    reader_ctx, reader = _open_logged_in(browser, base, "p1@example.tw", thread_id)
    reader.wait_for_function(
        "() => /2/.test(document.querySelector('.live-viewers').textContent)", timeout=5000
    )

    # A reply typed in one browser appears in the other within a second, without reload.
    target = writer.locator(f"#c{first['id']}")
    target.locator("details.reply > summary").first.click()
    target.locator("textarea").first.fill("包含，**大專生**也可以申請。")
    sent = time.monotonic()
    target.locator("form.comment-form button[type=submit]").first.click()
    reply = reader.locator(f"#c{first['id']} .replies article.comment", has_text="大專生也可以申請")
    reply.wait_for(timeout=1000)
    assert time.monotonic() - sent < 1.5  # the click, the POST, the commit and the push
    assert reply.locator(".comment-body strong").inner_text() == "大專生"
    assert reader.evaluate("() => window.__sameDocument === true")

    # The reader drops off the network; a reply posted meanwhile shows up once it is back.
    reader_ctx.set_offline(True)
    reader.locator(".live-offline").wait_for(state="visible", timeout=3000)
    writer.wait_for_load_state("load")
    missed = post(
        base, live_socket_server["tokens"][0], thread_id, "離線時貼的回覆", parent_id=first["id"]
    )
    time.sleep(0.5)
    assert reader.locator(f"#c{missed['id']}").count() == 0
    reader_ctx.set_offline(False)
    reader.locator(f"#c{missed['id']}").wait_for(timeout=5000)
    reader.locator(".live-offline").wait_for(state="hidden", timeout=5000)
    assert "離線時貼的回覆" in reader.locator(f"#c{missed['id']} .comment-body").inner_text()
    assert reader.locator(f"#c{missed['id']}").count() == 1  # no duplicates
    assert reader.evaluate("() => window.__sameDocument === true")
    # The new reply is a real comment: its reply form and vote buttons work like the others.
    assert reader.locator(f"#c{missed['id']} form.vote-form button.vote.agree").count() == 1
    reader.screenshot(path=str(tmp_path / "live-thread.png"), full_page=True)
    writer_ctx.close(), reader_ctx.close()
