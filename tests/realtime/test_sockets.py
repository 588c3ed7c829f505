"""The /threads namespace through Flask-SocketIO's test client: rooms, visibility, guards."""

from __future__ import annotations

import json
import time

from app.api.serialize import comment_json
from app.extensions import db
from deliberation import events
from deliberation.models import CommentStatus
from deliberation.services import comments
from tests.factories import (
    api_csrf,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
    save,
)
from tests.plugins.sockets import NS, thread_events

SECRET = "只有版主看得到的秘密內容"


def _subscribe(sock, thread_id: int, after_seq: int = 0) -> dict:
    return sock.emit(
        "subscribe", {"thread_id": thread_id, "after_seq": after_seq}, namespace=NS, callback=True
    )


def _hide(comment, type_: str = "comment_hidden") -> None:
    """What the moderation service does: a state change plus a thread event, one transaction."""
    comment.status = CommentStatus.HIDDEN.value
    comments.record_event(db.session, comment.thread_id, type_, comment.id)
    save()


def test_room_members_get_each_event_and_other_threads_get_nothing(sockets):
    item = make_consultation()
    thread = general_thread(item)
    other = item.sections[0].thread
    member, outsider = sockets(), sockets()
    assert _subscribe(member, thread.id)["ok"]
    assert _subscribe(outsider, other.id)["ok"]
    member.get_received(NS), outsider.get_received(NS)

    first = make_comment(thread, body="第一則")
    reply = make_comment(thread, body="回覆第一則", parent=first)
    comments.cast_vote(db.session, first.id, actor=make_user(), value=1)
    save()

    got = thread_events(member)
    assert [(e["seq"], e["type"]) for e in got] == [
        (1, "comment_created"),
        (2, "comment_created"),
        (3, "votes_changed"),
    ]
    assert got[1]["comment"]["parent_id"] == first.id and got[1]["comment"]["id"] == reply.id
    assert "回覆第一則" in got[1]["comment"]["html"]
    assert got[2]["votes"] == {"agree": 1, "disagree": 0, "pass": 0}
    assert thread_events(outsider) == []


def test_a_comment_posted_through_the_api_is_emitted_after_its_commit(sockets, client):
    thread = general_thread(make_consultation())
    watcher = sockets()
    _subscribe(watcher, thread.id)
    author = make_user()
    login(client, author)
    headers = api_csrf(client)
    watcher.get_received(NS)
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "即時"}, headers=headers)
    assert r.status_code == 201
    got = thread_events(watcher)
    assert len(got) == 1
    assert got[0]["comment"] == {**r.get_json(), "html": r.get_json()["html"]}
    # A refused post writes nothing and so emits nothing.
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": " "}, headers=headers)
    assert r.status_code == 400
    assert thread_events(watcher) == []


def test_a_rolled_back_comment_never_reaches_a_screen(sockets):
    thread = general_thread(make_consultation())
    watcher = sockets()
    _subscribe(watcher, thread.id)
    watcher.get_received(NS)
    comments.post_comment(db.session, thread, actor=make_user(), body="後悔了")
    db.session.rollback()
    assert thread_events(watcher) == []
    make_comment(general_thread(make_consultation()), body="別的討論")  # another thread
    make_comment(thread, body="這則有存下來")
    got = thread_events(watcher)
    assert [e["seq"] for e in got] == [1]  # the rolled-back seq was never taken
    assert "後悔了" not in json.dumps(got, ensure_ascii=False)


def test_a_rolled_back_savepoint_drops_only_its_own_events(sockets):
    thread = general_thread(make_consultation())
    watcher = sockets()
    _subscribe(watcher, thread.id)
    watcher.get_received(NS)
    author = make_user()
    comments.post_comment(db.session, thread, actor=author, body="留下")
    nested = db.session.begin_nested()
    comments.post_comment(db.session, thread, actor=author, body="撤回")
    nested.rollback()
    save()
    got = thread_events(watcher)
    assert len(got) == 1 and "留下" in got[0]["comment"]["html"]


def test_hidden_comment_content_never_reaches_a_client(sockets):
    thread = general_thread(make_consultation())
    secret = make_comment(thread, body=SECRET)
    watcher = sockets()
    _subscribe(watcher, thread.id, after_seq=1)
    watcher.get_received(NS)
    _hide(secret)
    live = thread_events(watcher)
    assert live[0]["type"] == "comment_hidden"
    assert live[0]["comment"]["status"] == "hidden" and live[0]["comment"]["html"] == ""
    # A late joiner resyncing from 0 sees the comment's current state: hidden, no text.
    late = sockets()
    answer = _subscribe(late, thread.id)
    assert [e["comment"]["status"] for e in answer["events"]] == ["hidden", "hidden"]
    # A pending comment is not even listed for the public.
    # A comment held for review (pre-moderation) is not even listed for the public.
    pending = comments.post_comment(db.session, thread, actor=make_user(), body="待審內容")
    pending.status = CommentStatus.PENDING.value
    save()
    received = [m for s in (watcher, late) for m in s.get_received(NS)]
    everything = json.dumps(received + [answer], ensure_ascii=False)
    assert SECRET not in everything, everything
    assert "待審內容" not in everything
    api = _subscribe(sockets(), thread.id)["events"]
    assert [e.get("comment", {}).get("status") for e in api] == ["hidden", "hidden", None]
    assert api[-1]["comment_id"] == pending.id


def test_subscribe_answers_with_the_missed_events_then_live_ones(sockets):
    thread = general_thread(make_consultation())
    for n in range(3):
        make_comment(thread, body=f"第{n}則")
    sock = sockets()
    answer = _subscribe(sock, thread.id, after_seq=1)
    assert answer["ok"] and answer["thread_id"] == thread.id
    assert [e["seq"] for e in answer["events"]] == [2, 3]
    assert answer["last_seq"] == 3 and answer["more"] is False
    make_comment(thread)
    assert [e["seq"] for e in thread_events(sock)] == [4]
    assert _subscribe(sock, thread.id, after_seq=4)["events"] == []  # re-subscribing is harmless


def test_an_unsubscribed_client_gets_nothing_more(sockets):
    thread = general_thread(make_consultation())
    sock = sockets()
    _subscribe(sock, thread.id)
    assert sock.emit("unsubscribe", {"thread_id": thread.id}, namespace=NS, callback=True)["ok"]
    sock.get_received(NS)
    make_comment(thread)
    assert thread_events(sock) == []


def test_malformed_and_oversized_events_get_an_error_ack(sockets):
    thread = general_thread(make_consultation())
    sock = sockets()
    cases = [
        (("subscribe", {"thread_id": "1"}), "invalid_event"),
        (("subscribe", {"thread_id": -3}), "invalid_event"),
        (("subscribe", {"thread_id": True}), "invalid_event"),
        (("subscribe", {"thread_id": thread.id, "after_seq": -1}), "invalid_event"),
        (("subscribe", [thread.id]), "invalid_event"),
        (("subscribe", "x"), "invalid_event"),
        (("subscribe",), "invalid_event"),
        (("subscribe", {"thread_id": thread.id}, {"extra": 1}), "invalid_event"),
        (("subscribe", {"thread_id": thread.id, "pad": "x" * 5000}), "payload_too_large"),
        (("unsubscribe", None), "invalid_event"),
        (("post_comment", {"body": "不行"}), "unknown_event"),
        (("subscribe", {"thread_id": 999999}), "thread_not_found"),
    ]
    for args, code in cases:
        ack = sock.emit(*args, namespace=NS, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == code, (args, ack)
        assert ack["error"]["message"]
    assert sock.is_connected(NS)
    assert _subscribe(sock, thread.id)["ok"]  # still usable


def test_a_draft_thread_is_refused_to_the_public_and_open_to_its_staff(sockets, client, app):
    staff = make_user("staff")
    draft = make_consultation(staff=staff, status="draft")
    thread = general_thread(draft)
    public = sockets()
    ack = _subscribe(public, thread.id)
    assert ack["ok"] is False and ack["error"]["code"] == "thread_not_found"
    citizen_client = app.test_client()
    login(citizen_client, make_user())
    ack = _subscribe(sockets(citizen_client), thread.id)
    assert ack["error"]["code"] == "thread_not_found"
    staff_client = app.test_client()
    login(staff_client, staff)
    assert _subscribe(sockets(staff_client), thread.id)["ok"] is True
    assert client.get(f"/api/v1/threads/{thread.id}/events").status_code == 404


def test_a_foreign_origin_is_refused_on_connect(sockets):
    foreign = sockets(headers={"Origin": "https://evil.example"})
    assert not foreign.is_connected(NS)
    same = sockets(headers={"Origin": "http://localhost"})
    assert same.is_connected(NS)


def test_an_event_flood_is_refused_then_disconnected(sockets):
    thread = general_thread(make_consultation())
    sock = sockets()
    codes = [
        (sock.emit("subscribe", {"thread_id": thread.id}, namespace=NS, callback=True) or {})
        .get("error", {})
        .get("code")
        for _ in range(60)
    ]
    assert codes[:15] == [None] * 15
    assert "too_many_requests" in codes
    for _ in range(200):
        if not sock.is_connected(NS):
            break
        sock.emit("subscribe", {"thread_id": thread.id}, namespace=NS, callback=True)
    assert not sock.is_connected(NS)


def test_the_viewer_count_follows_joins_and_leaves(sockets):
    thread = general_thread(make_consultation())
    first, second = sockets(), sockets()
    assert _subscribe(first, thread.id)["viewers"] == 1
    assert _subscribe(second, thread.id)["viewers"] == 2
    counts = [m["args"][0]["count"] for m in first.get_received(NS) if m["name"] == "viewers"]
    assert counts[-1] == 2
    second.disconnect(namespace=NS)
    counts = [m["args"][0]["count"] for m in first.get_received(NS) if m["name"] == "viewers"]
    assert counts == [1]


def test_event_comments_have_the_api_shape_for_an_anonymous_reader(session):
    thread = general_thread(make_consultation())
    c = make_comment(thread, body="形狀一樣")
    r = make_comment(thread, body="回覆", parent=c)
    for item in (c, r):
        db.session.refresh(item)
        assert events.public_comment(item) == comment_json(item, None)


def test_viewer_counts_of_a_crowd_joining_at_once_are_coalesced(sockets, app, monkeypatch):
    monkeypatch.setitem(app.config, "REALTIME_VIEWERS_INTERVAL", 0.3)
    thread = general_thread(make_consultation())
    crowd = [sockets() for _ in range(6)]
    for sock in crowd:
        _subscribe(sock, thread.id)
    time.sleep(0.6)  # the trailing announcement
    counts = [m["args"][0]["count"] for m in crowd[0].get_received(NS) if m["name"] == "viewers"]
    assert counts == [1, 6], crowd[0].get_received(
        NS
    )  # the first join at once, the other five in one message
