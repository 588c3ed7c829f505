"""The header's unread count arrives live on the /notifications namespace (one room per person)."""

from __future__ import annotations

from app import outbox
from app.extensions import db, socketio
from deliberation.notifications import operations
from tests.factories import (
    api_csrf,
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)
from tests.plugins.sockets import isolated

NS = "/notifications"


def counts(sock) -> list[int]:
    return [m["args"][0]["count"] for m in sock.get_received(NS) if m["name"] == "unread"]


def connect(app, flask_client):
    sock = isolated(socketio.test_client)(app, namespace=NS, flask_test_client=flask_client)
    sock.disconnect = isolated(sock.disconnect)
    return sock


def test_my_count_arrives_on_connect_and_again_when_someone_replies(app, client, sockets):
    thread = general_thread(make_consultation())
    alice, bob = make_user(), make_user()
    mine = make_comment(thread, alice)
    login(client, alice)
    alice_sock = connect(app, client)
    assert counts(alice_sock) == [0]

    bob_client = app.test_client()
    login(bob_client, bob)
    bob_sock = connect(app, bob_client)
    assert counts(bob_sock) == [0]
    page = bob_client.get(f"/threads/{thread.id}").get_data(as_text=True)
    bob_client.post(
        f"/threads/{thread.id}",
        data={"body": "回覆你", "parent_id": mine.id, "csrf_token": csrf_from(page)},
    )
    assert counts(alice_sock) == [1]
    assert counts(bob_sock) == []  # nobody else hears about it

    client.post("/api/v1/notifications/read-all", headers=api_csrf(client))
    assert counts(alice_sock) == [0]  # another tab marking read updates this one
    alice_sock.disconnect(namespace=NS)
    bob_sock.disconnect(namespace=NS)


def test_anonymous_connections_are_refused(app, client, sockets):
    sock = connect(app, client)
    assert not sock.is_connected(NS)


def test_a_push_goes_only_to_the_persons_room(app, client, sockets):
    alice, bob = make_user(), make_user()
    login(client, alice)
    alice_sock = connect(app, client)
    counts(alice_sock)
    operations.notify(db.session, bob.id, "comment_hidden")
    db.session.commit()
    outbox.run_deferred(db.session)
    assert counts(alice_sock) == []
    operations.notify(db.session, alice.id, "comment_hidden")
    db.session.commit()
    outbox.run_deferred(db.session)
    assert counts(alice_sock) == [1]
    alice_sock.disconnect(namespace=NS)


def test_a_push_to_many_people_gives_each_their_own_count_and_nobody_elses(app, client, sockets):
    from app.notifications.live import send_counts

    people = [make_user() for _ in range(3)]
    socks = []
    for person in people:
        browser = app.test_client()
        login(browser, person)
        socks.append(connect(app, browser))
        counts(socks[-1])  # the count on connect
    outsider = app.test_client()
    login(outsider, make_user())
    outsider_sock = connect(app, outsider)
    counts(outsider_sock)
    # Two share a count (one message to both rooms), one has another.
    send_counts({people[0].id: 2, people[1].id: 2, people[2].id: 5})
    assert [counts(s) for s in socks] == [[2], [2], [5]]
    assert counts(outsider_sock) == []
    for sock in [*socks, outsider_sock]:
        sock.disconnect(namespace=NS)
