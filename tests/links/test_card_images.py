"""Card images come from this site: the server fetches the page's https image once (raster
formats only, checked by signature) and serves it at /link-images/<id>, only for cards a visible
comment shows. Readers' browsers never contact the third party, and the CSP says so."""

from __future__ import annotations

import struct
import zlib

import pytest

from app.extensions import db
from app.links import jobs
from deliberation.linkfetch import FetchError, FetchPolicy, LinkFetcher, sniff_image
from deliberation.services import moderation
from tests.factories import csrf_from, general_thread, login, make_consultation, make_user

from .helpers import og_page


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


@pytest.fixture
def secure_fetcher(fake_site, tls_site):
    """A fetcher that may reach the fake site over http and, as secure.test, over https."""
    port, cert = tls_site
    policy = FetchPolicy(
        total_timeout=2,
        max_bytes=50_000,
        allow_hosts=frozenset({("127.0.0.1", fake_site.port), ("secure.test", port)}),
        ca_certs=cert,
    )

    def resolver(host: str, _port: int) -> list[str]:
        if host == "secure.test":
            return ["127.0.0.1"]
        raise FetchError("dns_failed", f"{host} (tests are offline)")

    return LinkFetcher(
        policy, resolver=resolver, oembed_endpoints={}
    ), f"https://secure.test:{port}"


def test_only_complete_raster_images_whose_bytes_match_their_type_are_fetched(
    fake_site, secure_fetcher
):
    fetcher, secure = secure_fetcher
    fake_site.binary("/cover.png", PNG, "image/png")
    fake_site.binary("/lying.png", b"<html><script>alert(1)</script></html>", "image/png")
    fake_site.binary("/renamed.jpg", PNG, "image/jpeg")
    fake_site.binary("/vector.svg", b'<svg onload="alert(1)"/>', "image/svg+xml")
    fake_site.binary("/huge.png", PNG + b"\0" * 60_000, "image/png")
    fake_site.page("/page.png", "<html></html>")

    assert fetcher.image(f"{secure}/cover.png") == ("image/png", PNG)
    assert sniff_image(PNG) == "image/png"
    for path, code in [
        ("/lying.png", "bad_image"),
        ("/renamed.jpg", "bad_image"),
        ("/vector.svg", "bad_content_type"),  # SVG can carry script: never
        ("/huge.png", "too_large"),
        ("/page.png", "bad_content_type"),
    ]:
        with pytest.raises(FetchError) as caught:
            fetcher.image(f"{secure}{path}")
        assert caught.value.code == code, path


def _post_link(client, thread_id: int, url: str) -> int:  # type: ignore[no-untyped-def]
    page = client.get(f"/threads/{thread_id}")
    r = client.post(
        f"/threads/{thread_id}",
        data={"body": f"請看 <{url}>", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return int(r.headers["Location"].rsplit("#c", 1)[1])


def _card(client, thread_id: int, comment_id: int) -> dict:  # type: ignore[no-untyped-def]
    items = client.get(f"/api/v1/threads/{thread_id}/comments").get_json()["items"]
    return next(c for c in items if c["id"] == comment_id)["links"][0]


def test_a_cards_image_is_served_from_this_site_and_only_while_a_visible_comment_shows_it(
    linked_app, client, fake_site, secure_fetcher, monkeypatch
):
    fetcher, secure = secure_fetcher
    monkeypatch.setattr(jobs, "make_fetcher", lambda: fetcher)
    fake_site.binary("/cover.png", PNG, "image/png")
    fake_site.page("/news", og_page("新聞標題", site="示範新聞", image=f"{secure}/cover.png"))
    fake_site.page("/svg-news", og_page("另一篇", image=f"{secure}/vector.svg"))
    fake_site.binary("/vector.svg", b'<svg onload="alert(1)"/>', "image/svg+xml")
    thread = general_thread(make_consultation())
    login(client, make_user())
    comment_id = _post_link(client, thread.id, f"{fake_site.base}/news")

    card = _card(client, thread.id, comment_id)
    assert card["title"] == "新聞標題"
    assert card["image"].startswith("/link-images/")  # never the third party's address
    image = client.get(card["image"])
    assert image.status_code == 200
    assert image.data == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/threads/{thread.id}")
    html = page.get_data(as_text=True)
    assert f'src="{card["image"]}" alt="" loading="lazy"' in html and secure not in html
    csp = page.headers["Content-Security-Policy"]
    img_src = next(d for d in csp.split(";") if d.strip().startswith("img-src")).split()[1:]
    assert img_src == ["'self'", "data:"]

    # A card whose page offers only an SVG has no picture at all.
    other = _post_link(client, thread.id, f"{fake_site.base}/svg-news")
    assert _card(client, thread.id, other)["image"] == ""

    # Hidden by a moderator: the image is no longer served (nor is one nobody shows).
    moderator = make_user(role="moderator")
    moderation.act_on_comment(db.session, comment_id, actor=moderator, action="hide", reason="spam")
    db.session.commit()
    assert client.get(card["image"]).status_code == 404
    assert client.get("/link-images/999999").status_code == 404
