"""Flags and moderator actions through the API: each action, conflicts, repeats, the log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import (
    Comment,
    CommentRevision,
    Flag,
    ModerationAction,
    Notification,
    Thread,
)
from deliberation.services import moderation
from tests.factories import api_csrf, login, make_comment, make_user, save

from .helpers import EN, ZH, act, api_login, fresh, log_rows


def _flag(client, headers, comment_id, reason="spam", note=None):
    body = {"reason": reason} | ({"note": note} if note is not None else {})
    return client.post(f"/api/v1/comments/{comment_id}/flags", json=body, headers=headers)


def test_a_flag_is_one_per_person_and_the_third_holds_the_comment(client, scene):
    flaggers = [make_user() for _ in range(3)]
    for i, user in enumerate(flaggers):
        headers = api_login(client, user)
        r = _flag(client, headers, scene.comment.id, reason="harassment")
        assert r.status_code == 201, r.get_json()
        again = _flag(client, headers, scene.comment.id)
        if i < 2:
            assert again.status_code == 409
            assert again.get_json()["error"]["code"] == "already_flagged"
        else:  # held: no longer public, so not even its existence is confirmed
            assert again.status_code == 404
        client.post("/logout", headers=headers)
        expected = "pending" if i == 2 else "visible"
        assert fresh(Comment, scene.comment.id).status == expected
    held = fresh(Comment, scene.comment.id)
    assert held.flag_count == 3 and held.held_by == "flag_threshold"
    hold = [r for r in log_rows(scene.comment.id) if r.action == "hold"]
    assert len(hold) == 1
    assert hold[0].actor_id is None and hold[0].rule == "flag_threshold"
    assert hold[0].reason == "harassment"
    assert (hold[0].before_status, hold[0].after_status) == ("visible", "pending")
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 3


def test_flag_input_is_checked_with_a_clear_message_and_changes_nothing(client, scene):
    headers = api_login(client, make_user())
    bad = _flag(client, headers, scene.comment.id, reason="boring")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_flag_reason"
    assert "spam" in bad.get_json()["error"]["message"]
    other = _flag(client, headers, scene.comment.id, reason="other")
    assert other.get_json()["error"]["code"] == "note_required"
    assert (
        client.post(
            f"/api/v1/comments/{scene.comment.id}/flags", data="x", headers=headers
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_nobody_flags_their_own_comment_and_anonymous_must_log_in(client, scene):
    r = client.post(f"/api/v1/comments/{scene.comment.id}/flags", json={"reason": "spam"})
    assert r.status_code in (400, 401)  # no CSRF token without a session is refused too
    headers = api_login(client, scene.author)
    assert _flag(client, headers, scene.comment.id).get_json()["error"]["code"] == "cannot_flag_own"


@pytest.mark.parametrize(
    ("action", "extra", "status_after"),
    [
        ("hide", {"reason": "harassment"}, "hidden"),
        ("pin", {}, "visible"),
        ("mark_duplicate", {}, "hidden"),
    ],
)
def test_each_action_changes_state_logs_records_an_event_and_repeats_harmlessly(
    client, scene, action, extra, status_after
):
    if action == "mark_duplicate":
        extra = {"duplicate_of": make_comment(scene.thread, body="較早的相同意見").id}
    headers = api_login(client, scene.moderator)
    seq_before = fresh(Thread, scene.thread.id).last_event_seq
    r = act(client, headers, scene.comment.id, action=action, note="說明", **extra)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["changed"] is True and r.get_json()["log_id"]
    after = fresh(Comment, scene.comment.id)
    assert after.status == status_after
    assert fresh(Thread, scene.thread.id).last_event_seq == seq_before + 1
    rows = [x for x in log_rows(scene.comment.id) if x.action == action]
    assert len(rows) == 1
    row = rows[0]
    assert row.actor_id == scene.moderator.id and row.note == "說明"
    assert row.target_type == "comment" and row.target_id == scene.comment.id
    assert row.before_status == "visible" and row.after_status == status_after
    assert row.created_at is not None and row.consultation_id == scene.consultation.id
    # The same request again: 200, nothing changes, nothing more is logged or broadcast.
    again = act(client, headers, scene.comment.id, action=action, **extra)
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert len([x for x in log_rows(scene.comment.id) if x.action == action]) == 1
    assert fresh(Thread, scene.thread.id).last_event_seq == seq_before + 1


def test_approve_restore_and_unpin_complete_the_cycle(client, scene):
    headers = api_login(client, scene.moderator)
    assert act(client, headers, scene.comment.id, action="pin").get_json()["comment"]["pinned"]
    assert act(client, headers, scene.comment.id, action="unpin").get_json()["changed"]
    act(client, headers, scene.comment.id, action="hide", reason="spam")
    wrong = act(client, headers, scene.comment.id, action="approve")
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "use_restore"
    restored = act(client, headers, scene.comment.id, action="restore")
    assert restored.get_json()["comment"]["status"] == "visible"
    actions = [r.action for r in log_rows(scene.comment.id)]
    assert actions == ["pin", "unpin", "hide", "restore"]


def test_approving_a_pending_comment_publishes_it_and_counts_it_as_a_reply(client, scene):
    reply = make_comment(scene.thread, body="我的手機 0912-345-678", parent=scene.comment)
    assert reply.status == "pending" and reply.held_by == "personal_data"
    assert fresh(Comment, scene.comment.id).reply_count == 0
    headers = api_login(client, scene.moderator)
    r = act(client, headers, reply.id, action="approve")
    assert r.get_json()["comment"]["status"] == "visible"
    assert fresh(Comment, scene.comment.id).reply_count == 1
    assert fresh(Comment, reply.id).held_by is None


def test_two_moderators_on_the_same_version_the_second_gets_a_conflict(client, scene):
    second = make_user("moderator")
    version = scene.comment.version
    headers = api_login(client, scene.moderator)
    first = act(client, headers, scene.comment.id, action="hide", reason="spam", version=version)
    assert first.status_code == 200
    client.post("/logout", headers=headers)
    headers2 = api_login(client, second)
    clash = act(client, headers2, scene.comment.id, action="pin", version=version)
    assert clash.status_code == 409
    err = clash.get_json()["error"]
    assert err["code"] == "moderation_conflict" and "hidden" in err["message"]
    zh = act(client, {**headers2, **ZH}, scene.comment.id, action="pin", version=version)
    assert zh.get_json()["error"]["message"] != err["message"]
    # The same decision from a stale page is not an overwrite: harmless, nothing logged.
    same = act(client, headers2, scene.comment.id, action="hide", reason="hate", version=version)
    assert same.status_code == 200 and same.get_json()["changed"] is False
    hides = [r for r in log_rows(scene.comment.id) if r.action == "hide"]
    assert len(hides) == 1 and hides[0].reason == "spam"
    assert fresh(Comment, scene.comment.id).status == "hidden"


def test_the_service_compare_and_set_catches_a_write_between_read_and_update(scene):
    # Simulate the race: another moderator's update lands after this one has read the comment.
    from sqlalchemy import update

    session = db.session
    comment = session.get(Comment, scene.comment.id)
    stale_version = comment.version
    session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(status="hidden", version=Comment.version + 1)
        .execution_options(synchronize_session=False)
    )
    from deliberation.errors import Conflict

    with pytest.raises(Conflict) as err:
        moderation.act_on_comment(
            session, comment.id, actor=scene.moderator, action="pin", expected_version=stale_version
        )
    assert err.value.code == "moderation_conflict"


def test_redaction_replaces_personal_data_everywhere_and_keeps_the_original_for_admins(
    client, scene
):
    author = scene.author
    clean = make_comment(scene.thread, author, body="請聯絡我")
    # An edit that adds a phone number is held; the text before the edit is a revision.
    from deliberation.services import comments as comment_service

    comment_service.edit_comment(
        db.session, clean, actor=author, body="請聯絡我 0912-345-678 或 me@example.org"
    )
    save()
    assert fresh(Comment, clean.id).status == "pending"
    headers = api_login(client, scene.moderator)
    r = act(client, headers, clean.id, action="redact", texts=["聯絡我"])
    assert r.status_code == 200 and r.get_json()["changed"] is True
    row = fresh(Comment, clean.id)
    for secret in ("0912", "345-678", "me@example.org", "聯絡我"):
        assert (
            secret not in row.body and secret not in row.html and secret not in (row.tokens or "")
        )
    for rev in db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == clean.id)
    ):
        assert "聯絡我" not in rev.body and "聯絡我" not in rev.html
    again = act(client, headers, clean.id, action="redact", texts=["聯絡我"])
    assert again.get_json()["changed"] is False
    # The log: a moderator sees that a redaction happened, never the original.
    log = client.get("/api/v1/moderation/log?action=redact", headers=headers).get_json()
    assert log["items"] and "original" not in log["items"][0]
    assert "0912" not in client.get("/moderation/log", headers=EN).get_data(as_text=True)
    client.post("/logout", headers=headers)
    admin_headers = api_login(client, scene.admin)
    admin_log = client.get("/api/v1/moderation/log?action=redact", headers=admin_headers)
    assert "0912-345-678" in admin_log.get_json()["items"][0]["original"]["body"]
    assert "0912-345-678" in client.get("/moderation/log", headers=EN).get_data(as_text=True)


def test_bad_action_input_gets_a_clear_message_and_changes_nothing(client, scene):
    headers = api_login(client, scene.moderator)
    cases = [
        ({"action": "delete"}, "invalid_action"),
        ({"action": "hide"}, "reason_required"),
        ({"action": "hide", "reason": "ugly"}, "invalid_reason"),
        ({"action": "hide", "reason": "spam", "note": "x" * 1001}, "note_too_long"),
        ({"action": "hide", "reason": "spam", "version": "1"}, "invalid_field"),
        ({"action": "mark_duplicate"}, "duplicate_of_required"),
        ({"action": "mark_duplicate", "duplicate_of": scene.comment.id}, "invalid_duplicate"),
        ({"action": "redact", "texts": "abc"}, "invalid_field"),
    ]
    for body, code in cases:
        r = act(client, headers, scene.comment.id, **body)
        assert r.status_code == 400, (body, r.get_json())
        assert r.get_json()["error"]["code"] == code
        assert r.get_json()["error"]["message"]
    assert act(client, headers, 999999, action="hide", reason="spam").status_code == 404
    assert fresh(Comment, scene.comment.id).status == "visible"
    assert log_rows() == []


def test_every_action_and_hold_is_a_log_row_with_the_required_fields(client, scene):
    make_comment(scene.thread, body="身分證 A123456789")  # an automatic hold
    headers = api_login(client, scene.moderator)
    act(client, headers, scene.comment.id, action="hide", reason="spam", note="廣告")
    client.post(
        f"/api/v1/moderation/threads/{scene.thread.id}/actions",
        json={"action": "lock"},
        headers=headers,
    )
    client.post(
        f"/api/v1/moderation/users/{scene.author.id}/sanctions",
        json={"kind": "mute", "reason": "spam", "days": 3},
        headers=headers,
    )
    rows = log_rows()
    assert [r.action for r in rows] == ["hold", "hide", "lock", "mute"]
    for r in rows:
        assert r.created_at is not None and r.action and r.target_type
        assert r.target_id is not None
    assert rows[0].actor_id is None and rows[0].rule == "personal_data"
    assert rows[1].reason == "spam" and rows[1].note == "廣告"
    api = client.get("/api/v1/moderation/log", headers=headers).get_json()
    assert api["total"] == 4 and api["items"][0]["action"] == "mute"
    assert {
        "actor",
        "action",
        "target_type",
        "target_id",
        "reason",
        "note",
        "before_status",
        "after_status",
        "created_at",
    } <= set(api["items"][0])


def test_thread_lock_refuses_new_comments_and_records_an_event(client, scene):
    headers = api_login(client, scene.moderator)
    seq = fresh(Thread, scene.thread.id).last_event_seq
    r = client.post(
        f"/api/v1/moderation/threads/{scene.thread.id}/actions",
        json={"action": "lock", "reason": "harassment"},
        headers=headers,
    )
    assert r.get_json()["thread"]["locked"] is True
    assert fresh(Thread, scene.thread.id).last_event_seq == seq + 1
    again = client.post(
        f"/api/v1/moderation/threads/{scene.thread.id}/actions",
        json={"action": "lock"},
        headers=headers,
    )
    assert again.get_json()["changed"] is False
    client.post("/logout", headers=headers)
    h = api_login(client, scene.author)
    post = client.post(
        f"/api/v1/threads/{scene.thread.id}/comments", json={"body": "還能說話嗎"}, headers=h
    )
    assert post.status_code == 403 and post.get_json()["error"]["code"] == "thread_locked"


def test_the_author_is_told_with_the_rule_and_the_note(client, scene):
    headers = api_login(client, scene.moderator)
    act(client, headers, scene.comment.id, action="hide", reason="harassment", note="請對事不對人")
    client.post("/logout", headers=headers)
    login(client, scene.author)
    page = client.get("/me/notices", headers=EN).get_data(as_text=True)
    assert "A moderator hid your comment." in page
    assert "Personal attack or harassment" in page and "請對事不對人" in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == scene.author.id))
    assert note.kind == "comment_hidden" and note.reason == "harassment"


def test_api_csrf_is_required_for_session_calls(client, scene):
    login(client, scene.moderator)
    r = client.post(
        f"/api/v1/moderation/comments/{scene.comment.id}/actions",
        json={"action": "hide", "reason": "spam"},
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
    headers = api_csrf(client)
    assert act(client, headers, scene.comment.id, action="hide", reason="spam").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 1
