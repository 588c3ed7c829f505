"""Pasted links: a bare http(s) URL in a comment becomes a link (through the one sanitizer), so
it gets its card or embed; Chinese text around it stays text; a known embed provider still
embeds when the card fetch fails."""

from __future__ import annotations

import html5lib
import pytest

from app.links import jobs
from deliberation.linkfetch import FetchError
from deliberation.sanitize import render_markdown, sanitize_html
from tests.factories import api_csrf, general_thread, login, make_consultation, make_user

from .helpers import xss_payloads

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _links(html: str) -> list[tuple[str, str]]:
    doc = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return [(a.get("href"), "".join(a.itertext())) for a in doc.iter("a")]


@pytest.mark.parametrize(
    ("text", "links", "after"),
    [
        (f"看 {YOUTUBE} 這支", [(YOUTUBE, YOUTUBE)], "這支"),
        ("請看https://youtu.be/abc，謝謝", [("https://youtu.be/abc",) * 2], "，謝謝"),
        ("請看https://youtu.be/abc謝謝", [("https://youtu.be/abc",) * 2], "謝謝"),
        ("「https://www.ptt.cc/bbs/a.html」", [("https://www.ptt.cc/bbs/a.html",) * 2], "」"),
        ("見https://www.ptt.cc/bbs/a.html。", [("https://www.ptt.cc/bbs/a.html",) * 2], "。"),
        (
            "https://zh.wikipedia.org/wiki/臺灣，很好",
            [
                (
                    "https://zh.wikipedia.org/wiki/%E8%87%BA%E7%81%A3",
                    "https://zh.wikipedia.org/wiki/臺灣",
                )
            ],
            "，很好",
        ),
        ("http://example.org/a?b=1&c=2 ok", [("http://example.org/a?b=1&c=2",) * 2], "ok"),
    ],
)
def test_a_bare_url_becomes_a_link_and_the_chinese_text_around_it_stays_text(text, links, after):
    html = render_markdown(text)
    assert _links(html) == links
    assert html.rstrip("</p>").endswith(after) or after in html.split("</a>")[-1]
    assert 'rel="nofollow ugc noopener noreferrer"' in html


@pytest.mark.parametrize(
    "text",
    [
        "example.com 和 www.example.com",  # no scheme: not a link
        "寫信到 someone@example.com",
        "ftp://files.example.org/a //evil.example/x mailto:a@b.tw",
        "javascript:alert(1)",
        "`https://in.code.example/`",
    ],
)
def test_only_bare_http_and_https_urls_are_linked(text):
    assert _links(render_markdown(text)) == []


def test_the_xss_corpus_with_bare_urls_around_it_still_yields_only_safe_links():
    for payload in xss_payloads():
        html = render_markdown(f"https://ok.example/ {payload} https://ok.example/{payload}")
        assert sanitize_html(html) == html  # a fixed point of the one cleaner
        for href, _text in _links(html):
            assert href is None or href.startswith(("http://", "https://", "mailto:")), href


def test_a_pasted_youtube_url_embeds_even_when_its_card_cannot_be_fetched(
    linked_app, client, monkeypatch
):
    def broken():  # the provider is down: every fetch fails
        def fetch(url):  # type: ignore[no-untyped-def]
            raise FetchError("unreachable")

        return fetch

    monkeypatch.setattr(jobs, "make_fetcher", broken)
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"大家看這支影片{YOUTUBE} 很清楚"},
        headers=api_csrf(client),
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    comment_id = r.get_json()["id"]
    [link] = [
        item["links"]
        for item in client.get(f"/api/v1/threads/{thread.id}/comments").get_json()["items"]
        if item["id"] == comment_id
    ][0]
    assert link["status"] == "failed"
    assert link["embed"]["src"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    frames = [f.get("src") for f in doc.iter("iframe")]
    assert "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" in frames
    assert f'href="{YOUTUBE}"' in page  # the text's link too


def test_a_failed_card_of_an_ordinary_site_still_shows_nothing_but_the_link(
    linked_app, client, monkeypatch
):
    def broken():
        def fetch(url):  # type: ignore[no-untyped-def]
            raise FetchError("unreachable")

        return fetch

    monkeypatch.setattr(jobs, "make_fetcher", broken)
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "新聞https://news.example.org/a.html"},
        headers=api_csrf(client),
    )
    comment_id = r.get_json()["id"]
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert f'data-link-cards="{comment_id}"' not in page
    assert 'href="https://news.example.org/a.html"' in page
