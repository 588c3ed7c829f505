"""Which URLs become embeds, and that an embed's iframe address is rebuilt from strict ids."""

from __future__ import annotations

import pytest

from deliberation.embeds import embed_src, match

CASES = [
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://youtu.be/dQw4w9WgXcQ?t=90",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
    ),
    (
        "https://m.youtube.com/shorts/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
    ),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
    ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
    (
        "https://www.facebook.com/NDCTaiwan/posts/pfbid02abcDEF1234567890xyz",
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FNDCTaiwan%2Fposts%2Fpfbid02abcDEF1234567890xyz&show_text=true&width=500",
    ),
    (
        "https://www.facebook.com/watch/?v=1234567890",
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D1234567890&show_text=true&width=500",
    ),
    ("https://www.instagram.com/p/C1a2B3c4D5e/", "https://www.instagram.com/p/C1a2B3c4D5e/embed/"),
    (
        "https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=x",
        "https://www.instagram.com/p/C1a2B3c4D5e/embed/",
    ),
    (
        "https://www.threads.net/@ndc.tw/post/C9xYz12AbCd",
        "https://www.threads.net/@ndc.tw/post/C9xYz12AbCd/embed",
    ),
    (
        "https://x.com/NDC_Taiwan/status/1790000000000000000",
        "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000&dnt=true",
    ),
    (
        "https://twitter.com/NDC_Taiwan/status/1790000000000000000?s=20",
        "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000&dnt=true",
    ),
]


@pytest.mark.parametrize(("url", "src"), CASES)
def test_allow_listed_links_get_our_own_embed_address(url, src):
    found = match(url)
    assert found is not None and found.embed is not None
    assert embed_src(found.embed) == src


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXc",  # 10 chars
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
        "https://www.youtube.com/watch?v=dQw4w9WgX%22Q",
        "https://www.youtube.com/embed/../../evil",
        "https://vimeo.com/channels/staffpicks",
        "https://www.instagram.com/p/a/",
        "https://x.com/home",
        "https://www.facebook.com/groups/123",
        "https://www.threads.net/@bad!user/post/C9xYz12AbCd",
    ],
)
def test_malformed_or_unknown_provider_paths_give_no_embed(url):
    found = match(url)
    assert found is None or found.embed is None


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://www.ptt.cc/bbs/Gossiping/M.1700000000.A.1B2.html", "ptt"),
        ("https://www.dcard.tw/f/trending/p/255000000", "dcard"),
    ],
)
def test_ptt_and_dcard_articles_are_recognised_but_only_get_cards(url, provider):
    found = match(url)
    assert found is not None and found.provider == provider and found.embed is None


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.tw/article/1",
        "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
    ],
)
def test_other_sites_and_look_alike_hosts_are_not_providers(url):
    assert match(url) is None


@pytest.mark.parametrize(
    "embed",
    [
        {"kind": "youtube", "id": "javascript:alert(1)"},
        {"kind": "youtube", "id": "dQw4w9WgXcQ/../../x"},
        {"kind": "youtube", "id": "dQw4w9WgXcQ", "start": "1;alert(1)"},
        {"kind": "facebook", "type": "post", "page": "a/b", "id": "123"},
        {"kind": "iframe", "id": "https://evil.example/"},
        {"kind": "x", "id": 123},
        None,
        "https://evil.example/",
    ],
)
def test_a_tampered_embed_row_yields_no_iframe_address(embed):
    src = embed_src(embed)
    assert src is None or src == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
