"""The guarantees: nothing hard-deleted, an append-only log, and no hidden, pending or redacted
text on any path the public (or analysis) can reach."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.api.serialize import comment_json
from app.extensions import db
from deliberation import events
from deliberation.models import Comment, ModerationAction, ThreadEvent, Vote
from deliberation.services import comments, consultations, moderation
from tests.factories import login, make_comment, make_user, save

from .helpers import EN, act, api_login, fresh

SECRET_HIDDEN = "隱藏的秘密內容HIDDENXYZ"
SECRET_PENDING = "等待審核的內容PENDINGXYZ"
SECRET_REDACTED = "me.secret@example.org"


# ---- the log is append-only ---------------------------------------------------------------------


@pytest.fixture
def log_row(scene):
    row = moderation.log_action(
        db.session,
        actor=scene.moderator,
        action="hide",
        target_type="comment",
        target_id=scene.comment.id,
        comment=scene.comment,
        reason="spam",
        before="visible",
        after="hidden",
    )
    save()
    return row


def test_the_orm_refuses_to_update_a_log_row(log_row):
    log_row.note = "rewritten history"
    with pytest.raises(PermissionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()


def test_the_orm_refuses_to_delete_a_log_row(log_row):
    db.session.delete(log_row)
    with pytest.raises(PermissionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(ModerationAction).values(note="rewritten"),
        lambda: delete(ModerationAction),
        lambda: text("UPDATE moderation_actions SET reason = 'other'"),
        lambda: text("DELETE FROM moderation_actions"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_update_or_delete_log_rows_for_any_sql(log_row, statement):
    with pytest.raises(DBAPIError) as err, db.session.begin_nested():
        db.session.execute(statement())
    assert "append-only" in str(err.value)
    assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 1


def test_moderation_never_deletes_a_comment_and_keeps_the_hidden_text_for_audit(client, scene):
    other = make_comment(scene.thread, body="原本的意見")
    counts = {
        m: db.session.scalar(select(func.count()).select_from(m))
        for m in (Comment, Vote, ThreadEvent)
    }
    headers = api_login(client, scene.moderator)
    act(client, headers, scene.comment.id, action="hide", reason="spam")
    act(client, headers, scene.comment.id, action="restore")
    act(client, headers, scene.comment.id, action="hide", reason="hate")
    act(client, headers, scene.comment.id, action="mark_duplicate", duplicate_of=other.id)
    act(client, headers, other.id, action="pin")
    after = {m: db.session.scalar(select(func.count()).select_from(m)) for m in (Comment, Vote)}
    assert after[Comment] == counts[Comment] and after[Vote] == counts[Vote]
    kept = fresh(Comment, scene.comment.id)
    assert kept.status == "hidden" and kept.body == "這個條文需要再討論"
    assert db.session.scalar(select(func.count()).select_from(ThreadEvent)) > counts[ThreadEvent]


# ---- no leaks -----------------------------------------------------------------------------------


@pytest.fixture
def leaky(client, scene):
    """A thread with a hidden comment, a pending one, a redacted one and a visible reply."""
    hidden = make_comment(scene.thread, body=SECRET_HIDDEN)
    pending_author = make_user()
    redacted = make_comment(scene.thread, body="公開的部分")
    redacted.body = f"公開的部分 {SECRET_REDACTED}"  # as if edited in before a moderator looked
    save()
    settings_staff = scene.consultation  # noqa: F841
    moderation.update_settings(
        db.session, actor=scene.moderator, consultation=scene.consultation, premoderation=True
    )
    save()
    pending = make_comment(scene.thread, pending_author, body=SECRET_PENDING, parent=scene.comment)
    assert pending.status == "pending"
    moderation.update_settings(
        db.session, actor=scene.moderator, consultation=scene.consultation, premoderation=None
    )
    save()
    reply = make_comment(scene.thread, body="對隱藏留言的公開回覆", parent=hidden)
    headers = api_login(client, scene.moderator)
    assert act(client, headers, hidden.id, action="hide", reason="harassment").status_code == 200
    assert (
        act(client, headers, redacted.id, action="redact", texts=[SECRET_REDACTED]).status_code
        == 200
    )
    client.post("/logout", headers=headers)
    return {
        "hidden": hidden,
        "pending": pending,
        "redacted": redacted,
        "reply": reply,
        "pending_author": pending_author,
    }


SECRETS = (SECRET_HIDDEN, SECRET_PENDING, SECRET_REDACTED)


def _clean(body: str) -> None:
    for secret in SECRETS:
        assert secret not in body


def test_public_pages_never_show_hidden_pending_or_redacted_text(client, scene, leaky):
    urls = [
        f"/threads/{scene.thread.id}",
        f"/threads/{scene.thread.id}?sort=newest",
        f"/comments/{leaky['hidden'].id}",
        f"/comments/{leaky['hidden'].id}/history",
        f"/comments/{leaky['redacted'].id}/history",
        f"/consultations/{scene.consultation.id}",
        f"/consultations/{scene.consultation.id}/transparency",
        "/",
    ]
    for viewer in (None, make_user(), scene.author):
        if viewer is not None:
            login(client, viewer)
        for url in urls:
            r = client.get(url, headers=EN)
            assert r.status_code == 200, url
            _clean(r.get_data(as_text=True))
        assert client.get(f"/comments/{leaky['pending'].id}").status_code == 404
        if viewer is not None:
            client.post("/logout", data={"csrf_token": ""})


def test_the_hidden_comments_author_gets_no_text_back_even_in_the_edit_form(client, scene, leaky):
    author = leaky["hidden"].author
    login(client, author)
    page = client.get(f"/comments/{leaky['hidden'].id}/edit", headers=EN)
    _clean(page.get_data(as_text=True))
    _clean(client.get(f"/threads/{scene.thread.id}", headers=EN).get_data(as_text=True))
    _clean(client.get("/me", headers=EN).get_data(as_text=True))
    _clean(client.get("/me/notices", headers=EN).get_data(as_text=True))


def test_api_answers_never_carry_the_text(client, scene, leaky):
    for url in (
        f"/api/v1/threads/{scene.thread.id}/comments",
        f"/api/v1/threads/{scene.thread.id}/comments?after_seq=0&limit=200",
        f"/api/v1/comments/{leaky['hidden'].id}",
        f"/api/v1/comments/{leaky['redacted'].id}",
        f"/api/v1/threads/{scene.thread.id}/events",
        f"/api/v1/consultations/{scene.consultation.id}",
        f"/api/v1/consultations/{scene.consultation.id}/transparency",
        "/api/v1/consultations",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        _clean(r.get_data(as_text=True))
    assert client.get(f"/api/v1/comments/{leaky['pending'].id}").status_code == 404


def test_real_time_payloads_and_serializers_never_carry_the_text(scene, leaky):
    rows = list(
        db.session.scalars(select(ThreadEvent).where(ThreadEvent.thread_id == scene.thread.id))
    )
    assert {r.type for r in rows} >= {"comment_created", "comment_hidden", "comment_redacted"}
    _clean(repr(events.payloads(db.session, rows)))
    thread = comments.get_thread(db.session, scene.thread.id, None)
    items, _ = comments.comments_after(db.session, thread, None, after_seq=0, limit=500)
    _clean(repr([comment_json(c, None) for c in items]))
    assert leaky["pending"].id not in {c.id for c in items}


def test_public_counts_count_visible_comments_only(client, scene, leaky):
    totals = consultations.comment_totals(db.session, [scene.consultation.id])
    visible = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.thread_id == scene.thread.id, Comment.status == "visible")
    )
    assert totals[scene.consultation.id] == visible
    listed = client.get("/api/v1/consultations").get_json()["items"]
    assert next(i for i in listed if i["id"] == scene.consultation.id)["comment_count"] == visible
    # The pending reply does not show up in its parent's public reply count.
    parent = client.get(f"/api/v1/comments/{scene.comment.id}").get_json()
    assert parent["reply_count"] == 0


def test_the_csv_export_carries_no_comment_text(client, scene, leaky):
    login(client, scene.admin)
    r = client.get("/moderation/log.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.get_data(as_text=True)
    _clean(body)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["id", "time", "actor", "action"]
    assert {"hide", "redact", "hold"} <= {row[3] for row in rows[1:]}


def test_csv_export_escapes_formula_cells(client, scene):
    evil = make_user("moderator", name='=HYPERLINK("http://x")')
    headers = api_login(client, evil)
    act(client, headers, scene.comment.id, action="hide", reason="spam", note="+SUM(1,2)")
    client.post("/logout", headers=headers)
    login(client, scene.admin)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/moderation/log.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    hide = next(r for r in rows if r[3] == "hide")
    assert hide[2].startswith("'=") and hide[12] == "'+SUM(1,2)"


def test_analysis_gets_visible_text_only_and_the_redacted_version(scene, leaky):
    got = moderation.visible_comments_for_analysis(db.session, scene.consultation.id)
    ids = {c.id for c in got}
    assert leaky["hidden"].id not in ids and leaky["pending"].id not in ids
    assert leaky["redacted"].id in ids and leaky["reply"].id in ids
    _clean(repr(got))
    votes = moderation.visible_votes_for_analysis(db.session, scene.consultation.id)
    assert all(comment_id in ids for _, comment_id, _ in votes)
