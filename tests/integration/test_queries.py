"""A thread page costs the same number of queries for 5 comments or 60 (no N+1)."""

from __future__ import annotations

from app.extensions import db
from deliberation.services import comments
from tests.factories import general_thread, login, make_comment, make_consultation, make_user, save


def _fill(thread, n):
    voters = [make_user() for _ in range(3)]
    roots = []
    for i in range(n):
        parent = roots[-1] if i % 3 == 2 and roots else None
        c = make_comment(thread, body=f"留言 {i}", parent=parent)
        if parent is None:
            roots.append(c)
        for v in voters[: i % 3]:
            comments.cast_vote(db.session, c.id, actor=v, value=1)
    save()
    return voters[0]


def _queries(client, count_queries, url):
    count_queries.statements.clear()
    assert client.get(url).status_code == 200
    return len(count_queries.statements)


def test_thread_page_queries_do_not_grow_with_comments(client, count_queries):
    small = general_thread(make_consultation())
    large = general_thread(make_consultation())
    viewer = _fill(small, 5)
    _fill(large, 60)
    login(client, viewer)
    a = _queries(client, count_queries, f"/threads/{small.id}")
    b = _queries(client, count_queries, f"/threads/{large.id}")
    assert a == b, (a, b)
    # A fixed budget for a logged-in reader: the thread, the user and their server-side session,
    # the page of comments, votes, link cards, their sanctions and flags, the visible count,
    # the unread notifications and the thread's follow button.
    assert b <= 14


def test_comments_api_queries_do_not_grow_with_comments(client, count_queries):
    small = general_thread(make_consultation())
    large = general_thread(make_consultation())
    _fill(small, 5)
    _fill(large, 60)
    a = _queries(client, count_queries, f"/api/v1/threads/{small.id}/comments")
    b = _queries(client, count_queries, f"/api/v1/threads/{large.id}/comments?limit=200")
    assert a == b, (a, b)
