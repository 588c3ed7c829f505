"""The comments API: posting, replying, editing, voting — and bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import Comment, CommentRevision, IdempotencyKey, ThreadEvent, Vote, utcnow
from deliberation.services import accounts, comments
from tests.factories import (
    api_csrf,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)


def _token(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _rows() -> tuple[int, int, int, int, int]:
    s = db.session
    return (
        s.scalar(select(func.count(Comment.id))),
        s.scalar(select(func.count(Vote.id))),
        s.scalar(select(func.count(CommentRevision.id))),
        s.scalar(select(func.count(ThreadEvent.id))),
        s.scalar(select(func.count(IdempotencyKey.id))),
    )


@pytest.fixture
def thread(session):
    return general_thread(make_consultation())


def test_citizen_posts_a_comment_and_reads_it_back(client, thread):
    user = make_user(name="阿美")
    headers = _token(user)
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "我支持**補助**"}, headers=headers
    )
    assert r.status_code == 201
    created = r.get_json()
    assert created["seq"] == 1 and created["status"] == "visible"
    assert "<strong>補助</strong>" in created["html"]

    listing = client.get(f"/api/v1/threads/{thread.id}/comments").get_json()
    assert [c["id"] for c in listing["items"]] == [created["id"]]
    item = listing["items"][0]
    assert item["author"] == {"id": user.id, "name": "阿美", "official": None}
    assert item["votes"] == {"agree": 0, "disagree": 0, "pass": 0}
    assert listing["last_seq"] == 1


def test_session_api_calls_need_the_csrf_token(client, thread):
    user = make_user()
    login(client, user)
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "沒有 token"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "有 token"}, headers=api_csrf(client)
    )
    assert r.status_code == 201


def test_replies_nest_under_their_parent_and_count_in_ancestors(client, thread):
    headers = _token(make_user())
    top = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "第一層"}, headers=headers
    ).get_json()
    mid = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "第二層", "parent_id": top["id"]},
        headers=headers,
    ).get_json()
    client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "第三層", "parent_id": mid["id"]},
        headers=headers,
    )
    items = {
        c["id"]: c for c in client.get(f"/api/v1/threads/{thread.id}/comments").get_json()["items"]
    }
    assert items[mid["id"]]["parent_id"] == top["id"]
    assert items[top["id"]]["reply_count"] == 2 and items[mid["id"]]["reply_count"] == 1
    assert [c["seq"] for c in items.values()] == [1, 2, 3]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": ""}, 400, "empty_comment"),
        ({"body": "   \n\t "}, 400, "empty_comment"),
        ({"body": "字" * 5001}, 400, "comment_too_long"),
        ({"body": "回覆", "parent_id": 999999}, 404, "parent_not_found"),
        ({"body": 12}, 400, "invalid_field"),
        ({"body": "x", "parent_id": "1"}, 400, "invalid_field"),
        (["not", "an", "object"], 400, "invalid_json"),
    ],
)
def test_bad_comments_get_a_clear_error_and_change_nothing(client, thread, payload, status, code):
    headers = _token(make_user())
    before = _rows()
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json=payload, headers=headers)
    assert r.status_code == status
    error = r.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert _rows() == before


def test_a_comment_of_exactly_the_limit_is_accepted(client, thread):
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "字" * 5000},
        headers=_token(make_user()),
    )
    assert r.status_code == 201


def test_error_messages_follow_the_readers_language(client, thread):
    headers = _token(make_user())
    zh = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": ""}, headers=headers)
    en = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": ""},
        headers={**headers, "Accept-Language": "en"},
    )
    assert en.get_json()["error"]["message"] == "Please write something before posting."
    assert zh.get_json()["error"]["message"] != en.get_json()["error"]["message"]


def test_posting_without_login_is_401_and_changes_nothing(client, thread):
    before = _rows()
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "匿名"})
    # Without a session there is no CSRF token either; a bad bearer token is the API's 401 path.
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "匿名"},
        headers={"Authorization": "Bearer nope"},
    )
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "not_authenticated"
    assert _rows() == before


def test_replying_to_a_hidden_comment_is_refused(client, thread):
    parent = make_comment(thread)
    parent.status = "hidden"
    db.session.commit()
    before = _rows()
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "回覆", "parent_id": parent.id},
        headers=_token(make_user()),
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "parent_hidden"
    assert _rows() == before


def test_replying_to_a_comment_of_another_thread_is_refused(client, thread):
    consultation = thread.consultation
    other = consultation.sections[0].thread
    parent = make_comment(other)
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "回覆", "parent_id": parent.id},
        headers=_token(make_user()),
    )
    assert r.status_code == 404


@pytest.mark.parametrize("status", ["closed", "concluded"])
def test_closed_consultations_take_no_comments_or_votes(client, status):
    item = make_consultation()
    thread = general_thread(item)
    existing = make_comment(thread)
    item.status = "closed" if status == "closed" else "concluded"
    db.session.commit()
    headers = _token(make_user())
    before = _rows()
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "太晚了"}, headers=headers
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "consultation_not_open"
    r = client.post(f"/api/v1/comments/{existing.id}/vote", json={"value": 1}, headers=headers)
    assert r.status_code == 403
    assert _rows() == before


def test_a_consultation_past_its_closing_time_takes_no_comments(client):
    item = make_consultation(
        opens_at=utcnow() - timedelta(days=10), closes_at=utcnow() - timedelta(days=1)
    )
    r = client.post(
        f"/api/v1/threads/{general_thread(item).id}/comments",
        json={"body": "x"},
        headers=_token(make_user()),
    )
    assert r.status_code == 403


def test_a_draft_is_invisible_to_the_public(client):
    item = make_consultation(status="draft")
    r = client.post(
        f"/api/v1/threads/{general_thread(item).id}/comments",
        json={"body": "x"},
        headers=_token(make_user()),
    )
    assert r.status_code == 404
    assert client.get(f"/api/v1/consultations/{item.id}").status_code == 404


def test_same_idempotency_key_creates_one_comment(client, thread):
    headers = {**_token(make_user()), "Idempotency-Key": "retry-123"}
    first = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "只發一次"}, headers=headers
    )
    second = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "只發一次"}, headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert (
        db.session.scalar(select(func.count(Comment.id)).where(Comment.thread_id == thread.id)) == 1
    )


def test_an_idempotency_key_reused_for_other_text_is_a_conflict(client, thread):
    headers = {**_token(make_user()), "Idempotency-Key": "k1"}
    client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "甲"}, headers=headers)
    r = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "乙"}, headers=headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "idempotency_key_reused"


def test_a_failed_post_does_not_burn_its_idempotency_key(client, thread):
    headers = {**_token(make_user()), "Idempotency-Key": "k2"}
    assert (
        client.post(
            f"/api/v1/threads/{thread.id}/comments", json={"body": ""}, headers=headers
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/threads/{thread.id}/comments", json={"body": ""}, headers=headers
        ).status_code
        == 400
    )


def test_seq_is_gap_free_per_thread(client, thread):
    headers = _token(make_user())
    for i in range(3):
        client.post(
            f"/api/v1/threads/{thread.id}/comments", json={"body": f"第{i}則"}, headers=headers
        )
    client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": ""}, headers=headers
    )  # refused
    client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "最後"}, headers=headers)
    other = thread.consultation.sections[0].thread
    client.post(f"/api/v1/threads/{other.id}/comments", json={"body": "別串"}, headers=headers)
    seqs = db.session.scalars(
        select(Comment.seq).where(Comment.thread_id == thread.id).order_by(Comment.seq)
    ).all()
    assert seqs == [1, 2, 3, 4]


def test_after_seq_pages_through_a_thread(client, thread):
    for i in range(5):
        make_comment(thread, body=f"第{i}則")
    page1 = client.get(f"/api/v1/threads/{thread.id}/comments?after_seq=0&limit=2").get_json()
    assert [c["seq"] for c in page1["items"]] == [1, 2] and page1["last_seq"] == 2
    page3 = client.get(f"/api/v1/threads/{thread.id}/comments?after_seq=4&limit=2").get_json()
    assert [c["seq"] for c in page3["items"]] == [5] and page3["last_seq"] == 5
    assert client.get(f"/api/v1/threads/{thread.id}/comments?after_seq=-1").status_code == 400
    assert client.get(f"/api/v1/threads/{thread.id}/comments?limit=abc").status_code == 400


def test_hidden_comments_keep_their_place_but_not_their_text(client, thread):
    hidden = make_comment(thread, body="不該被看到的內容")
    hidden.status = "hidden"
    db.session.commit()
    items = client.get(f"/api/v1/threads/{thread.id}/comments").get_json()["items"]
    assert items[0]["status"] == "hidden" and items[0]["html"] == ""
    assert "不該被看到" not in client.get(f"/api/v1/threads/{thread.id}/comments").get_data(
        as_text=True
    )


def test_votes_are_one_per_person_and_changeable(client, thread):
    comment = make_comment(thread)
    headers = _token(make_user())
    r = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=headers)
    assert r.status_code == 200 and r.get_json()["votes"] == {"agree": 1, "disagree": 0, "pass": 0}
    r = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": -1}, headers=headers)
    assert r.get_json()["votes"] == {"agree": 0, "disagree": 1, "pass": 0}
    r = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 0}, headers=headers)
    assert r.get_json()["votes"] == {"agree": 0, "disagree": 0, "pass": 1}
    other = _token(make_user())
    r = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=other)
    assert r.get_json()["votes"] == {"agree": 1, "disagree": 0, "pass": 1}
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.comment_id == comment.id)) == 2


@pytest.mark.parametrize("value", [2, "yes", None, True, 1.5])
def test_invalid_votes_are_refused(client, thread, value):
    comment = make_comment(thread)
    before = _rows()
    r = client.post(
        f"/api/v1/comments/{comment.id}/vote", json={"value": value}, headers=_token(make_user())
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_vote"
    assert _rows() == before


def test_voting_on_a_missing_comment_is_404(client, thread):
    r = client.post("/api/v1/comments/424242/vote", json={"value": 1}, headers=_token(make_user()))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "comment_not_found"


def test_author_edits_within_the_window_and_history_is_kept(client, thread):
    author = make_user()
    comment = make_comment(thread, author, body="初稿")
    r = client.patch(
        f"/api/v1/comments/{comment.id}",
        json={"body": "修正稿", "version": 1},
        headers=_token(author),
    )
    assert r.status_code == 200
    data = r.get_json()
    assert data["edited_at"] is not None and data["version"] == 2 and "修正稿" in data["html"]
    history = comments.revisions(db.session, db.session.get(Comment, comment.id))
    assert [h.body for h in history] == ["初稿"]


def test_a_stale_edit_is_a_conflict_and_changes_nothing(client, thread):
    author = make_user()
    comment = make_comment(thread, author, body="初稿")
    headers = _token(author)
    client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "第二版", "version": 1}, headers=headers
    )
    before = _rows()
    r = client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "從舊版改的", "version": 1}, headers=headers
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_edit"
    assert _rows() == before
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "第二版"


def test_only_the_author_may_edit(client, thread):
    comment = make_comment(thread, body="原文")
    r = client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "竄改"}, headers=_token(make_user())
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_author"


def test_edits_after_the_window_are_refused(client, thread):
    author = make_user()
    comment = make_comment(thread, author, body="舊留言", now=utcnow() - timedelta(hours=1))
    r = client.patch(f"/api/v1/comments/{comment.id}", json={"body": "改"}, headers=_token(author))
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "edit_window_passed"
    assert "15" in r.get_json()["error"]["message"]


def test_comment_text_is_sanitized(client, thread):
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={
            "body": "<script>alert(1)</script> [點我](javascript:alert(1)) <img src=x onerror=alert(1)>"
        },
        headers=_token(make_user()),
    )
    html = r.get_json()["html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # what was typed is shown, as text


def test_staff_create_a_consultation_through_the_api(client):
    staff = make_user("staff")
    r = client.post(
        "/api/v1/consultations",
        json={
            "title": "長照草案",
            "summary": "摘要",
            "body": "全文",
            "sections": [{"title": "第一條", "body": "內容"}, {"title": "第二條", "body": "內容"}],
            "status": "open",
            "opens_at": "2026-01-01T00:00:00+08:00",
            "closes_at": "2027-01-01T00:00:00+08:00",
        },
        headers=_token(staff),
    )
    assert r.status_code == 201
    data = r.get_json()
    assert [s["title"] for s in data["sections"]] == ["第一條", "第二條"]
    assert data["threads"][0]["kind"] == "general" and len(data["threads"]) == 3
    detail = client.get(f"/api/v1/consultations/{data['id']}").get_json()
    assert detail["status"] == "open"
    assert data["id"] in [c["id"] for c in client.get("/api/v1/consultations").get_json()["items"]]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"title": ""}, "title_required"),
        (
            {
                "title": "x",
                "opens_at": "2027-01-01T00:00:00+00:00",
                "closes_at": "2026-01-01T00:00:00+00:00",
            },
            "dates_out_of_order",
        ),
        ({"title": "x", "opens_at": "not a date"}, "invalid_date"),
        ({"title": "x", "status": "concluded"}, "invalid_status"),
        ({"title": "x", "sections": [{"title": "", "body": "沒有標題"}]}, "section_title_required"),
    ],
)
def test_bad_consultations_are_refused(client, payload, code):
    r = client.post("/api/v1/consultations", json=payload, headers=_token(make_user("staff")))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == code


def test_citizens_cannot_create_consultations(client):
    r = client.post("/api/v1/consultations", json={"title": "x"}, headers=_token(make_user()))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "staff_only"
