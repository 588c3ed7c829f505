"""GET /api/v1/threads/<id>/events: what a real-time client fetches to fill a gap."""

from __future__ import annotations

from app.extensions import db
from deliberation.models import CommentStatus
from deliberation.services import comments
from tests.factories import general_thread, login, make_comment, make_consultation, make_user, save


def _events(client, thread_id: int, query: str = "") -> dict:
    r = client.get(f"/api/v1/threads/{thread_id}/events{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_events_come_in_seq_order_and_continue_from_last_seq(client):
    thread = general_thread(make_consultation())
    first = make_comment(thread, body="一")
    make_comment(thread, body="二", parent=first)
    comments.cast_vote(db.session, first.id, actor=make_user(), value=-1)
    save()
    body = _events(client, thread.id)
    assert [(e["seq"], e["type"]) for e in body["items"]] == [
        (1, "comment_created"),
        (2, "comment_created"),
        (3, "votes_changed"),
    ]
    assert body["last_seq"] == 3 and body["more"] is False
    assert body["items"][2]["votes"] == {"agree": 0, "disagree": 1, "pass": 0}
    page = _events(client, thread.id, "?after_seq=0&limit=2")
    assert [e["seq"] for e in page["items"]] == [1, 2] and page["more"] is True
    rest = _events(client, thread.id, f"?after_seq={page['last_seq']}&limit=2")
    assert [e["seq"] for e in rest["items"]] == [3] and rest["more"] is False
    assert _events(client, thread.id, "?after_seq=3") == {"items": [], "last_seq": 3, "more": False}


def test_a_new_event_is_served_at_once_despite_the_cache(client):
    thread = general_thread(make_consultation())
    make_comment(thread)
    assert _events(client, thread.id)["last_seq"] == 1
    make_comment(thread)
    assert _events(client, thread.id)["last_seq"] == 2


def test_hidden_text_is_not_in_the_events_even_for_its_author(client):
    thread = general_thread(make_consultation())
    author = make_user()
    c = make_comment(thread, author=author, body="被隱藏的話")
    c.status = CommentStatus.HIDDEN.value
    comments.record_event(db.session, thread.id, "comment_hidden", c.id)
    save()
    login(client, author)
    body = client.get(f"/api/v1/threads/{thread.id}/events").get_data(as_text=True)
    assert "被隱藏的話" not in body
    items = _events(client, thread.id)["items"]
    assert [e["comment"]["status"] for e in items] == ["hidden", "hidden"]
    assert [e["type"] for e in items] == ["comment_created", "comment_hidden"]


def test_bad_parameters_and_unknown_threads_answer_json_errors(client):
    thread = general_thread(make_consultation())
    for query in ("?after_seq=-1", "?after_seq=x", "?limit=0", "?limit=5000"):
        r = client.get(f"/api/v1/threads/{thread.id}/events{query}")
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter"
    r = client.get("/api/v1/threads/99999/events")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "thread_not_found"
