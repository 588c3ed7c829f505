"""Anonymous readers get cached pages that are never stale."""

from __future__ import annotations

from app.extensions import db
from deliberation.services import comments, consultations
from tests.factories import general_thread, make_comment, make_consultation, make_user, save

EN = {"Accept-Language": "en"}


def test_a_new_comment_appears_at_once_for_anonymous_readers(client):
    thread = general_thread(make_consultation())
    make_comment(thread, body="第一則")
    first = client.get(f"/threads/{thread.id}")
    assert "第一則" in first.get_data(as_text=True)
    make_comment(thread, body="第二則")
    assert "第二則" in client.get(f"/threads/{thread.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/threads/{thread.id}/comments").get_json()
    assert [c["seq"] for c in api["items"]] == [1, 2]


def test_votes_and_closing_show_up_for_anonymous_readers(client):
    staff = make_user("staff")
    item = make_consultation(staff=staff)
    thread = general_thread(item)
    c = make_comment(thread)
    client.get(f"/threads/{thread.id}")
    comments.cast_vote(db.session, c.id, actor=make_user(), value=1)
    save()
    assert (
        client.get(f"/api/v1/threads/{thread.id}/comments").get_json()["items"][0]["votes"]["agree"]
        == 1
    )
    consultations.set_status(db.session, item, "closed", actor=staff)
    save()
    assert "This consultation is closed" in client.get(
        f"/threads/{thread.id}", headers=EN
    ).get_data(as_text=True)


def test_an_unchanged_thread_answers_304_to_a_conditional_request(client):
    thread = general_thread(make_consultation())
    make_comment(thread)
    first = client.get(f"/threads/{thread.id}")
    etag = first.headers["ETag"]
    again = client.get(f"/threads/{thread.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_comment(thread)
    assert client.get(f"/threads/{thread.id}", headers={"If-None-Match": etag}).status_code == 200


def test_anonymous_pages_set_no_session_cookie(client):
    thread = general_thread(make_consultation())
    r = client.get(f"/threads/{thread.id}")
    assert "session=" not in r.headers.get("Set-Cookie", "")


def test_language_is_part_of_the_cached_page(client):
    thread = general_thread(make_consultation())
    en = client.get(f"/threads/{thread.id}", headers=EN).get_data(as_text=True)
    zh = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Join the discussion" in en and "Join the discussion" not in zh
