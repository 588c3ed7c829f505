"""One commit point: a view's work is committed once, after it succeeds, or not at all."""

from __future__ import annotations

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import outbox as app_outbox
from app.extensions import db
from app.transaction import commit_point
from deliberation.models import Comment, ThreadEvent
from deliberation.services import comments
from tests.factories import api_csrf, csrf_from, general_thread, login, make_consultation, make_user

EN = {"Accept-Language": "en"}


def explode(*_args: object) -> None:
    raise RuntimeError("the broadcast handler failed")


def _post(client, thread, body):
    page = client.get(f"/threads/{thread.id}", headers=EN)
    data = {"body": body, "csrf_token": csrf_from(page.get_data(as_text=True))}
    return client.post(f"/threads/{thread.id}", data=data, headers=EN)


def _count(thread) -> int:
    return db.session.scalar(select(func.count(Comment.id)).where(Comment.thread_id == thread.id))


def test_every_endpoint_is_a_commit_point(app):
    unwrapped = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if view is not commit_point(view)  # wrapping twice returns the same function
    ]
    assert unwrapped == []


def test_a_comment_is_stored_even_when_its_after_commit_handler_raises(
    app, client, monkeypatch, caplog
):
    registry = app.extensions["zhongyi_outbox"]
    monkeypatch.setitem(
        registry, "realtime.broadcast", app_outbox.Handler(f"{__name__}:explode", inline=True)
    )
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = _post(client, thread, "送出後廣播失敗也要留下")
    assert r.status_code == 302
    assert _count(thread) == 1
    assert "Your comment was posted." in client.get(r.headers["Location"]).get_data(as_text=True)
    assert "follow-up realtime.broadcast failed" in caplog.text


def test_an_unexpected_error_inside_a_view_leaves_nothing_half_written(app, client, monkeypatch):
    original = comments.post_comment

    def writes_then_fails(*args, **kwargs):
        original(*args, **kwargs)  # the comment and its thread event are flushed
        raise RuntimeError("something broke after the write")

    monkeypatch.setattr(comments, "post_comment", writes_then_fails)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = _post(client, thread, "寫到一半就出錯")
    assert r.status_code == 500
    headers = api_csrf(client)
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "API 也一樣"}, headers=headers
    )
    assert r.status_code == 500
    assert _count(thread) == 0
    assert (
        db.session.scalar(
            select(func.count(ThreadEvent.id)).where(ThreadEvent.thread_id == thread.id)
        )
        == 0
    )


def test_a_refused_action_after_a_write_keeps_nothing(client, monkeypatch):
    from deliberation.errors import ValidationError

    original = comments.post_comment

    def writes_then_refuses(*args, **kwargs):
        original(*args, **kwargs)
        raise ValidationError("body_too_long", max=10)

    monkeypatch.setattr(comments, "post_comment", writes_then_refuses)
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = _post(client, thread, "被拒絕的留言")
    assert r.status_code == 400
    assert _count(thread) == 0


def test_a_message_is_flashed_only_when_the_commit_succeeds(app, client, monkeypatch):
    thread = general_thread(make_consultation())
    thread_id = thread.id
    login(client, make_user())
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def refuse_commit(session: Session) -> None:
        query = select(func.count(Comment.id)).where(Comment.thread_id == thread_id)
        if session.scalar(query):
            raise RuntimeError("the database refused the commit")

    event.listen(Session, "before_commit", refuse_commit)
    try:
        r = _post(client, thread, "提交失敗的留言")
    finally:
        event.remove(Session, "before_commit", refuse_commit)
    assert r.status_code == 500
    assert _count(thread) == 0
    html = client.get(f"/threads/{thread.id}", headers=EN).get_data(as_text=True)
    assert "Your comment was posted." not in html


def test_closing_through_the_api_starts_the_analysis_after_the_commit(client):
    from deliberation.models import AnalysisRun

    staff = make_user("staff")
    item = make_consultation(staff=staff)
    login(client, staff)
    r = client.patch(
        f"/api/v1/consultations/{item.id}", json={"status": "closed"}, headers=api_csrf(client)
    )
    assert r.status_code == 200
    runs = db.session.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == item.id))
    assert len(runs.all()) == 1
