"""Link cards end to end: a comment with a link appears at once, the background fetch fills
its card in, and the card reaches the thread page, the comments API and open pages."""

from __future__ import annotations

import html5lib
import pytest
from flask import Flask

from app import links as links_area
from app.extensions import db
from config import ProductionConfig, TestingConfig, _host_ports
from deliberation.models import CommentLink, LinkPreview
from deliberation.services import links as service
from tests.factories import (
    api_csrf,
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
    save,
)
from tests.plugins.sockets import NS, thread_events

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _api_links(client, thread_id: int) -> dict[int, list[dict]]:
    r = client.get(f"/api/v1/threads/{thread_id}/comments")
    assert r.status_code == 200
    return {item["id"]: item["links"] for item in r.get_json()["items"]}


def _cards(page_html: str, comment_id: int):
    doc = html5lib.parse(page_html, treebuilder="etree", namespaceHTMLElements=False)
    for el in doc.iter("div"):
        if el.get("data-link-cards") == str(comment_id):
            return el
    return None


def test_a_link_posted_through_the_page_becomes_a_card_on_the_page_and_in_the_api(
    linked_app, client, fake_site
):
    thread = general_thread(make_consultation())
    login(client, make_user())
    page = client.get(f"/threads/{thread.id}")
    url = f"{fake_site.base}/og"
    r = client.post(
        f"/threads/{thread.id}",
        data={
            "body": f"請看這篇報導 <{url}>",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert r.status_code == 302
    comment_id = int(r.headers["Location"].rsplit("#c", 1)[1])

    links = _api_links(client, thread.id)[comment_id]
    assert links == [
        {
            "url": url,
            "status": "ready",
            "title": "草案說明會紀錄",
            "site_name": "示範新聞",
            "description": "國發會公布的說明會紀錄",
            # The page's image is on a host the offline tests cannot reach: no picture, and
            # never the third party's address (tests/links/test_card_images.py).
            "image": "",
            "provider": "",
            "embed": None,
        }
    ]
    body = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    cards = _cards(body, comment_id)
    assert cards is not None
    text = "".join(cards.itertext())
    assert "草案說明會紀錄" in text and "示範新聞" in text
    assert list(cards.iter("img")) == []  # no picture rather than the third party's address
    assert "/static/css/links.css" in body


def test_a_link_posted_through_the_api_is_pending_at_once_and_ready_after_the_job(
    linked_app, client, fake_site
):
    thread = general_thread(make_consultation())
    login(client, make_user())
    url = f"{fake_site.base}/redirect/2"
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"來源：<{url}>"},
        headers=api_csrf(client),
    )
    assert r.status_code == 201
    created = r.get_json()
    assert [(link["url"], link["status"]) for link in created["links"]] == [(url, "pending")]
    links = _api_links(client, thread.id)[created["id"]]
    assert links[0]["status"] == "ready" and links[0]["title"] == "草案說明會紀錄"
    one = client.get(f"/api/v1/comments/{created['id']}").get_json()
    assert one["links"] == links


def test_a_youtube_link_gives_a_sandboxed_youtube_nocookie_embed(linked_app, client):
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"影片 <{YOUTUBE}>"},
        headers=api_csrf(client),
    )
    comment_id = r.get_json()["id"]
    [link] = _api_links(client, thread.id)[comment_id]
    assert link["provider"] == "youtube"
    assert link["title"] == "影片標題（oEmbed）"  # from the provider's oEmbed endpoint (faked)
    assert link["embed"] == {
        "kind": "youtube",
        "id": "dQw4w9WgXcQ",
        "src": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    }
    page = client.get(f"/threads/{thread.id}")
    frame = next(_cards(page.get_data(as_text=True), comment_id).iter("iframe"))
    assert frame.get("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert frame.get("sandbox") == "allow-scripts allow-same-origin allow-popups allow-presentation"
    assert frame.get("loading") == "lazy" and frame.get("referrerpolicy") == "no-referrer"
    csp = page.headers["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com" in csp
    assert "img-src 'self' data:;" in csp  # card images come from this site


def test_with_third_party_embeds_off_a_youtube_link_is_only_a_card(linked_app, client, monkeypatch):
    monkeypatch.setitem(linked_app.config, "THIRD_PARTY_EMBEDS", False)
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"影片 <{YOUTUBE}>"},
        headers=api_csrf(client),
    )
    comment_id = r.get_json()["id"]
    [link] = _api_links(client, thread.id)[comment_id]
    assert link["embed"] is None and link["title"] == "影片標題（oEmbed）"
    cards = _cards(client.get(f"/threads/{thread.id}").get_data(as_text=True), comment_id)
    assert list(cards.iter("iframe")) == []
    assert "影片標題（oEmbed）" in "".join(cards.itertext())


def _bare_app(config: type, **overrides: object) -> Flask:
    """An app with only this area wired (a full create_app would rebind the shared extensions)."""
    app = Flask(__name__)
    app.config.from_object(config)
    app.config.update(overrides)
    links_area.init_app(app)
    return app


def test_with_embeds_off_the_csp_allows_no_third_party_frames():
    assert "frame-src" in _bare_app(TestingConfig).config["CSP_EXTRA"]
    assert "frame-src" not in _bare_app(TestingConfig, THIRD_PARTY_EMBEDS=False).config["CSP_EXTRA"]


def test_a_refused_link_leaves_the_comment_posted_with_no_card(linked_app, client):
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "內網 <http://169.254.169.254/latest/meta-data/>"},
        headers=api_csrf(client),
    )
    assert r.status_code == 201
    comment_id = r.get_json()["id"]
    [link] = _api_links(client, thread.id)[comment_id]
    assert link["status"] == "failed" and link["title"] == ""
    preview = db.session.get(
        LinkPreview,
        db.session.scalar(db.select(LinkPreview.id).where(LinkPreview.url == link["url"])),
    )
    assert preview.error == "blocked_address"
    body = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert _cards(body, comment_id) is None  # the link in the text is all there is
    assert "169.254.169.254" in body


def test_editing_a_comment_relinks_its_cards(linked_app, client, fake_site):
    thread = general_thread(make_consultation())
    author = make_user()
    login(client, author)
    headers = api_csrf(client)
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"<{fake_site.base}/og>"},
        headers=headers,
    )
    created = r.get_json()
    r = client.patch(
        f"/api/v1/comments/{created['id']}",
        json={"body": f"改成 <{YOUTUBE}> 和 <{fake_site.base}/og>", "version": created["version"]},
        headers=headers,
    )
    assert r.status_code == 200, r.get_json()
    links = _api_links(client, thread.id)[created["id"]]
    assert [link["provider"] for link in links] == ["youtube", ""]
    assert all(link["status"] == "ready" for link in links)
    # The same URL in two comments shares one preview, fetched once.
    assert db.session.scalar(db.select(db.func.count()).select_from(LinkPreview)) == 2


def test_a_links_ready_event_reaches_a_subscribed_socket(linked_app, sockets, client, fake_site):
    thread = general_thread(make_consultation())
    watcher = sockets()
    assert watcher.emit(
        "subscribe", {"thread_id": thread.id, "after_seq": 0}, namespace=NS, callback=True
    )["ok"]
    login(client, make_user())
    headers = api_csrf(client)
    watcher.get_received(NS)
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"<{fake_site.base}/og>"},
        headers=headers,
    )
    assert r.status_code == 201
    got = thread_events(watcher)
    assert [e["type"] for e in got] == ["comment_created", "links_ready"]
    assert got[0]["comment"]["links"][0]["status"] == "pending"
    ready = got[1]
    assert ready["comment_id"] == r.get_json()["id"]
    assert ready["links"][0]["title"] == "草案說明會紀錄"
    assert ready["comment"]["links"] == ready["links"]


def test_a_comment_made_outside_a_request_is_filled_in_by_the_job(linked_app, session, fake_site):
    from app.links.jobs import fetch_previews

    thread = general_thread(make_consultation())
    comment = make_comment(thread, body=f"<{fake_site.base}/og> 以及 <{fake_site.base}/og#part>")
    assert [card["status"] for card in service.cards_of(comment)] == ["pending"]
    ids = service.pending_previews(db.session)
    assert len(ids) == 1  # the fragment is not part of the stored URL
    fetch_previews(db.session, ids)
    save()
    service.preload(db.session, [comment])
    [card] = service.cards_of(comment)
    assert card["title"] == "草案說明會紀錄"
    assert db.session.scalar(db.select(db.func.count()).select_from(CommentLink)) == 1


def test_the_thread_page_with_cards_costs_the_same_queries_for_few_or_many(
    linked_app, client, count_queries, fake_site
):
    small = general_thread(make_consultation())
    large = general_thread(make_consultation())
    for thread, n in ((small, 3), (large, 25)):
        for i in range(n):
            make_comment(thread, body=f"第 {i} 則 <{fake_site.base}/og?n={i}> <{YOUTUBE}>")
    viewer = make_user()
    login(client, viewer)

    def queries(url: str) -> int:
        count_queries.statements.clear()
        assert client.get(url).status_code == 200
        return len(count_queries.statements)

    assert queries(f"/threads/{small.id}") == queries(f"/threads/{large.id}")
    api = "/api/v1/threads/{}/comments?limit=200"
    assert queries(api.format(small.id)) == queries(api.format(large.id))


# ---- configuration ---------------------------------------------------------------------------


def test_production_refuses_to_start_with_loopback_test_hosts():
    with pytest.raises(RuntimeError, match="LINK_FETCH_ALLOW_HOSTS"):
        _bare_app(ProductionConfig, LINK_FETCH_ALLOW_HOSTS=frozenset({("127.0.0.1", 8000)}))
    assert _bare_app(ProductionConfig).config["LINK_FETCH_ALLOW_HOSTS"] == frozenset()
    # Tests and local demos may name them.
    assert _bare_app(TestingConfig, LINK_FETCH_ALLOW_HOSTS=frozenset({("127.0.0.1", 8000)}))


def test_allowed_test_hosts_are_read_from_a_host_port_list():
    assert _host_ports(" 127.0.0.1:8001, localhost:8002 ,[::1]:9000") == frozenset(
        {("127.0.0.1", 8001), ("localhost", 8002), ("::1", 9000)}
    )
    assert _host_ports("") == frozenset()
    with pytest.raises(ValueError, match="host:port"):
        _host_ports("127.0.0.1")


def test_with_a_background_queue_the_fetch_is_submitted_after_the_commit_only(
    linked_app, client, fake_site, monkeypatch
):
    from app import jobs

    submitted = []
    monkeypatch.setitem(linked_app.config, "JOBS_BACKEND", "thread")
    monkeypatch.setattr(jobs, "submit", lambda path, *args: submitted.append((path, *args)))
    thread = general_thread(make_consultation())
    login(client, make_user())
    headers = api_csrf(client)
    url = f"{fake_site.base}/og?queued"
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": f"<{url}>"}, headers=headers
    )
    assert r.status_code == 201
    preview_id = db.session.scalar(db.select(LinkPreview.id).where(LinkPreview.url == url))
    fetches = [job for job in submitted if job[0].startswith("app.links.")]  # not notifications
    assert fetches == [("app.links.jobs:fetch_previews", [preview_id])]
    assert r.get_json()["links"][0]["status"] == "pending"  # the comment did not wait
    # A refused post (too long) writes nothing and queues nothing.
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": f"<{fake_site.base}/og?never> " + "長" * 6000},
        headers=headers,
    )
    assert r.status_code == 400
    assert [job for job in submitted if job[0].startswith("app.links.")] == fetches


def test_a_rolled_back_comment_queues_no_fetch(linked_app, session, fake_site, monkeypatch):
    from app import jobs
    from deliberation.services import comments

    submitted = []
    monkeypatch.setitem(linked_app.config, "JOBS_BACKEND", "thread")
    monkeypatch.setattr(
        jobs,
        "submit",  # link fetches only (notifications are queued too, and tested elsewhere)
        lambda path, *args: submitted.append(args) if path.startswith("app.links.") else None,
    )
    thread = general_thread(make_consultation())
    author = make_user()
    comments.post_comment(db.session, thread, actor=author, body=f"<{fake_site.base}/og?rb>")
    db.session.rollback()
    save()  # a later, unrelated commit
    assert submitted == []
    make_comment(thread, author, body=f"<{fake_site.base}/og?kept>")
    assert len(submitted) == 1
