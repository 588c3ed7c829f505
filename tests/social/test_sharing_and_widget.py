"""Sharing out: link cards, share links without third-party scripts, and the embeddable widget."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import html5lib

from app.extensions import db
from deliberation.services import moderation as mod_service
from tests.factories import login, make_comment, make_consultation, make_user

from .helpers import EN


def _tree(html: str):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def _meta(html: str) -> dict[str, str]:
    out = {}
    for m in _tree(html).iter("meta"):
        key = m.get("property") or m.get("name")
        if key:
            out[key] = m.get("content")
    return out


def test_a_consultation_page_carries_open_graph_and_twitter_card_tags(client, desk):
    html = client.get(f"/consultations/{desk.consultation.id}").get_data(as_text=True)
    meta = _meta(html)
    assert meta["og:title"] == "電動機車補助草案"
    assert meta["og:description"] == "草案摘要"
    assert meta["og:url"] == f"http://localhost/consultations/{desk.consultation.id}"
    assert meta["og:type"] == "article"
    assert meta["og:image"] == "http://localhost/static/img/share.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:title"] == "電動機車補助草案"
    with client.get("/static/img/share.png") as image:  # closes the file it streams
        assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_share_links_point_at_line_facebook_and_x_and_load_no_third_party_script(client, desk):
    html = client.get(f"/consultations/{desk.consultation.id}", headers=EN).get_data(as_text=True)
    tree = _tree(html)
    links = {
        a.get("class").split()[-1]: a.get("href")
        for a in tree.iter("a")
        if "share-link" in (a.get("class") or "")
    }
    page_url = f"http://localhost/consultations/{desk.consultation.id}"
    line, fb, x = links["share-line"], links["share-facebook"], links["share-x"]
    assert line.startswith("https://social-plugins.line.me/lineit/share?url=")
    assert parse_qs(urlsplit(line).query)["url"] == [page_url]
    assert fb.startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert parse_qs(urlsplit(fb).query)["u"] == [page_url]
    assert x.startswith("https://twitter.com/intent/tweet?url=")
    assert parse_qs(urlsplit(x).query) == {"url": [page_url], "text": ["電動機車補助草案"]}
    copy = next(b for b in tree.iter("button") if "share-copy" in (b.get("class") or ""))
    assert copy.get("data-copy") == page_url
    # Every script is our own, from our own origin; no iframe or third-party image either.
    scripts = list(tree.iter("script"))
    assert scripts and all(s.get("src", "").startswith("/static/") for s in scripts)
    assert not list(tree.iter("iframe"))
    assert all(img.get("src", "").startswith("/") for img in tree.iter("img"))
    csp = client.get(f"/consultations/{desk.consultation.id}").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    with client.get("/static/js/social.js") as js:
        assert js.status_code == 200 and b"import " not in js.data  # self-contained module


def test_a_comment_page_is_shareable_with_the_comment_as_its_card(client, desk):
    comment = make_comment(desk.thread, body="補助金額應該**提高**到三萬元")
    html = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    meta = _meta(html)
    assert meta["og:url"] == f"http://localhost/comments/{comment.id}"
    assert meta["og:description"] == "補助金額應該提高到三萬元"
    assert "電動機車補助草案" in meta["og:title"]
    assert meta["twitter:card"] == "summary_large_image"
    thread_meta = _meta(client.get(f"/threads/{desk.thread.id}").get_data(as_text=True))
    assert thread_meta["og:url"] == f"http://localhost/threads/{desk.thread.id}"


def test_a_hidden_comment_never_lends_its_text_to_the_card(client, desk):
    comment = make_comment(desk.thread, body="不該出現在卡片上的文字")
    moderator = make_user("moderator")
    mod_service.act_on_comment(
        db.session, comment.id, actor=moderator, action="hide", reason="spam"
    )
    db.session.commit()
    html = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "不該出現在卡片上的文字" not in html
    assert _meta(html)["og:description"] == "草案摘要"


def test_the_widget_may_be_framed_anywhere_but_other_pages_may_not(client, desk):
    r = client.get(f"/embed/consultations/{desk.consultation.id}")
    assert r.status_code == 200
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    other = client.get(f"/consultations/{desk.consultation.id}")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"
    # The widget sets no cookie a framing site could ride on.
    assert "Set-Cookie" not in r.headers


def test_the_widget_shows_the_summary_latest_visible_comments_and_a_join_link(client, desk):
    make_comment(desk.thread, body="第一則留言")
    make_comment(desk.thread, body="最新的留言")
    hidden = make_comment(desk.thread, body="被隱藏的留言")
    mod_service.act_on_comment(
        db.session, hidden.id, actor=make_user("moderator"), action="hide", reason="spam"
    )
    db.session.commit()
    html = client.get(f"/embed/consultations/{desk.consultation.id}?limit=1", headers=EN).get_data(
        as_text=True
    )
    assert "草案摘要" in html and "最新的留言" in html
    assert "第一則留言" not in html  # limit=1
    assert "被隱藏的留言" not in html
    tree = _tree(html)
    join = next(a for a in tree.iter("a") if "button" in (a.get("class") or ""))
    assert join.get("href") == f"http://localhost/consultations/{desk.consultation.id}"
    assert join.get("target") == "_blank" and "noopener" in join.get("rel")
    assert "Join the discussion" in "".join(join.itertext())
    assert not list(tree.iter("script"))


def test_a_draft_has_no_widget_even_for_its_staff(client, desk):
    draft = make_consultation(staff=desk.staff, status="draft")
    login(client, desk.staff)
    assert client.get(f"/consultations/{draft.id}").status_code == 200
    r = client.get(f"/embed/consultations/{draft.id}")
    assert r.status_code == 404
    assert r.headers["X-Frame-Options"] == "DENY"


def test_staff_see_links_to_imports_participation_but_the_public_does_not(client, desk):
    url = f"/consultations/{desk.consultation.id}"
    assert "/participation" not in client.get(url).get_data(as_text=True)
    login(client, desk.staff)
    html = client.get(url).get_data(as_text=True)
    assert f"/staff/consultations/{desk.consultation.id}/participation" in html
    assert f"/staff/threads/{desk.thread.id}/import" in html
