"""The widget framed by an agency's page on another origin, in Chromium."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def agency_site() -> Iterator:
    """A tiny site on another 127.0.0.1 port; serve(html) sets the page it answers with."""
    pages: dict[str, str] = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str) -> str:
        pages["html"] = html
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _consultation_of_thread(base: str, thread_id: int) -> int:
    with urllib.request.urlopen(f"{base}/api/v1/consultations") as r:
        items = json.load(r)["items"]
    for item in items:
        with urllib.request.urlopen(f"{base}/api/v1/consultations/{item['id']}") as r:
            if any(t["id"] == thread_id for t in json.load(r)["threads"]):
                return item["id"]
    raise AssertionError("no consultation has that thread")


def test_an_agency_page_frames_the_widget_and_shows_the_latest_comment(
    browser,
    live_server,
    agency_site,
):
    base = live_server
    words = f"小工具測試留言 {uuid.uuid4().hex[:8]}"
    page = browser.new_page(locale="zh-TW")
    page.goto(base + "/login")
    page.locator("#email").fill("citizen@demo.zhongyi.tw")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    page.goto(base + "/threads/1")
    page.locator("#body-new").fill(words)
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator("article.comment", has_text=words).count() == 1

    consultation_id = _consultation_of_thread(base, 1)
    host = agency_site(
        "<!doctype html><html><head><meta charset='utf-8'><title>機關網站</title></head><body>"
        "<h1>本部政策諮詢</h1>"
        f"<iframe id='zy' src='{base}/embed/consultations/{consultation_id}' "
        "title='眾議' width='600' height='600'></iframe></body></html>"
    )
    visitor = browser.new_page(locale="zh-TW")
    blocked: list[str] = []
    visitor.on("console", lambda m: blocked.append(m.text) if "frame" in m.text.lower() else None)
    visitor.goto(host)
    frame = visitor.frame_locator("#zy")
    comment = frame.locator(".embed-comment", has_text=words)
    comment.wait_for(state="visible", timeout=10000)
    assert comment.is_visible()
    join = frame.locator(".embed-join a")
    assert join.get_attribute("target") == "_blank"
    assert join.get_attribute("href") == f"{base}/consultations/{consultation_id}"
    assert not blocked, blocked

    # A page of the site itself refuses to be framed the same way.
    agency_site(
        f"<!doctype html><html><body><iframe id='zy' src='{base}/consultations/{consultation_id}'>"
        "</iframe></body></html>"
    )
    visitor.goto(host)
    visitor.wait_for_timeout(500)
    # Chromium shows its own error page in the frame instead of ours.
    assert visitor.frame_locator("#zy").locator("header.site-header").count() == 0
