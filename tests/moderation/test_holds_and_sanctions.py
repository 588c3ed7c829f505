"""Automatic holds (each names its rule), pre-moderation, slow mode, sanctions and appeals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.errors import Forbidden
from deliberation.models import Appeal, Comment, ModerationAction, utcnow
from deliberation.services import comments, moderation
from tests.factories import csrf_from, login, make_comment, make_user, save

from .helpers import EN, ZH, act, api_login, fresh, log_rows


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ("我的身分證字號 A123456789", "personal_data"),
        ("請撥 0912 345 678 找我", "personal_data"),
        ("市話 (02)2345-6789", "personal_data"),
        ("寫信到 someone@example.com", "personal_data"),
        ("你 去。死 吧", "keyword"),
        ("K.I.L.L yourself", "keyword"),
    ],
)
def test_automatic_holds_keep_the_comment_pending_and_say_which_rule_fired(
    client, scene, body, rule
):
    headers = api_login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{scene.thread.id}/comments", json={"body": body}, headers=headers
    )
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    held = fresh(Comment, r.get_json()["id"])
    assert held.held_by == rule
    row = log_rows(held.id)[0]
    assert row.action == "hold" and row.rule == rule and row.actor_id is None
    assert row.after_status == "pending"
    for secret in ("A123456789", "0912", "2345-6789", "someone@"):
        assert secret not in row.note  # the log names the kind of data, never the data
    page = client.get("/me/notices", headers=EN).get_data(as_text=True)
    assert "waiting for a moderator" in page


def test_link_spam_is_held_for_new_accounts_only(scene):
    links = "看 https://a.example https://b.example https://c.example"
    new = make_user()
    assert make_comment(scene.thread, new, body=links).held_by == "link_spam"
    old = make_user()
    old.created_at = utcnow() - timedelta(days=60)
    save()
    assert make_comment(scene.thread, old, body=links).status == "visible"


def test_pre_moderation_holds_every_comment_and_the_author_sees_it_marked(client, scene):
    staff = scene.consultation.created_by_id
    from deliberation.models import User

    login(client, db.session.get(User, staff))
    page = client.get(f"/moderation/consultations/{scene.consultation.id}/settings", headers=EN)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    r = client.post(
        f"/moderation/consultations/{scene.consultation.id}/settings",
        data={"premoderation": "on", "csrf_token": token},
    )
    assert r.status_code == 302
    assert moderation.settings_for(db.session, scene.consultation.id).premoderation
    login(client, scene.author)
    token = csrf_from(client.get(f"/threads/{scene.thread.id}").get_data(as_text=True))
    client.post(f"/threads/{scene.thread.id}", data={"body": "先審後刊的留言", "csrf_token": token})
    mine = client.get(f"/threads/{scene.thread.id}", headers=EN).get_data(as_text=True)
    assert "先審後刊的留言" in mine and "Awaiting review" in mine
    client.post("/logout", data={"csrf_token": token})
    anon = client.get(f"/threads/{scene.thread.id}").get_data(as_text=True)
    assert "先審後刊的留言" not in anon
    hold = db.session.scalar(
        select(ModerationAction).where(ModerationAction.rule == "premoderation")
    )
    assert hold is not None and hold.action == "hold"


def test_bad_settings_get_a_clear_message_and_change_nothing(client, scene):
    login(client, scene.moderator)
    page = client.get("/moderation/settings", headers=EN)
    token = csrf_from(page.get_data(as_text=True))
    r = client.post(
        "/moderation/settings", data={"flag_threshold": "0", "csrf_token": token}, headers=EN
    )
    assert r.status_code == 400 and "from 1 to 100" in r.get_data(as_text=True)
    r = client.post(
        "/moderation/settings", data={"flag_threshold": "abc", "csrf_token": token}, headers=EN
    )
    assert r.status_code == 400
    assert moderation.settings_row(db.session, None) is None


def test_an_edit_that_adds_personal_data_is_held_again(scene):
    comments.edit_comment(
        db.session, scene.comment, actor=scene.author, body="補充：我的電話 0912345678"
    )
    save()
    assert fresh(Comment, scene.comment.id).status == "pending"
    assert log_rows(scene.comment.id)[-1].rule == "personal_data"


def test_slow_mode_refuses_a_second_post_too_soon_with_a_clear_message(client, scene):
    moderation.act_on_thread(
        db.session, scene.thread.id, actor=scene.moderator, action="slow_mode", seconds=120
    )
    save()
    headers = api_login(client, make_user())
    url = f"/api/v1/threads/{scene.thread.id}/comments"
    assert client.post(url, json={"body": "第一則"}, headers=headers).status_code == 201
    second = client.post(url, json={"body": "第二則"}, headers=headers)
    assert second.status_code == 403
    err = second.get_json()["error"]
    assert err["code"] == "slow_mode" and "Slow mode" in err["message"]
    # moderators are not slowed down
    mod = scene.moderator
    make_comment(scene.thread, mod, body="一")
    make_comment(scene.thread, mod, body="二")


def test_a_muted_user_is_refused_with_a_clear_message_until_lifted(client, scene):
    headers = api_login(client, scene.moderator)
    r = client.post(
        f"/api/v1/moderation/users/{scene.author.id}/sanctions",
        json={"kind": "mute", "reason": "harassment", "days": 3, "note": "冷靜一下"},
        headers=headers,
    )
    assert r.status_code == 201
    sanction_id = r.get_json()["id"]
    client.post("/logout", headers=headers)
    h = api_login(client, scene.author)
    post = client.post(
        f"/api/v1/threads/{scene.thread.id}/comments", json={"body": "我還想說"}, headers=h
    )
    assert post.status_code == 403
    assert post.get_json()["error"]["code"] == "muted"
    assert "read-only" in post.get_json()["error"]["message"]
    other = make_comment(scene.thread, body="別人的留言")
    vote = client.post(f"/api/v1/comments/{other.id}/vote", json={"value": 1}, headers=h)
    assert vote.status_code == 403
    flag = client.post(f"/api/v1/comments/{other.id}/flags", json={"reason": "spam"}, headers=h)
    assert flag.status_code == 403
    notices = client.get("/me/notices", headers=EN).get_data(as_text=True)
    assert "muted" in notices and "冷靜一下" in notices
    # the page form says why too
    token = csrf_from(client.get(f"/threads/{scene.thread.id}").get_data(as_text=True))
    page = client.post(
        f"/threads/{scene.thread.id}", data={"body": "再試", "csrf_token": token}, headers=EN
    )
    assert page.status_code == 403 and "read-only" in page.get_data(as_text=True)
    client.post("/logout", headers=h)
    headers = api_login(client, scene.moderator)
    lifted = client.post(
        f"/api/v1/moderation/sanctions/{sanction_id}/lift", json={"note": "已改善"}, headers=headers
    )
    assert lifted.get_json()["changed"] is True
    again = client.post(
        f"/api/v1/moderation/sanctions/{sanction_id}/lift", json={}, headers=headers
    )
    assert again.get_json()["changed"] is False
    make_comment(scene.thread, scene.author, body="解除後可以留言")


def test_suspension_needs_no_end_and_mute_needs_a_period(scene):
    s = moderation.sanction_user(
        db.session, scene.author.id, actor=scene.moderator, kind="suspend", reason="spam"
    )
    assert s.ends_at is None
    with pytest.raises(Forbidden) as err:
        comments.post_comment(db.session, scene.thread, actor=scene.author, body="x")
    assert err.value.code == "suspended_indefinitely"
    from deliberation.errors import ValidationError

    with pytest.raises(ValidationError):
        moderation.sanction_user(
            db.session, scene.author.id, actor=scene.moderator, kind="mute", reason="spam"
        )
    with pytest.raises(Forbidden):
        moderation.sanction_user(
            db.session,
            scene.moderator.id,
            actor=scene.moderator,
            kind="mute",
            reason="spam",
            days=1,
        )


def test_one_appeal_lands_in_the_queue_and_upholding_restores_the_comment(client, scene):
    headers = api_login(client, scene.moderator)
    act(client, headers, scene.comment.id, action="hide", reason="off_topic", note="與條文無關")
    client.post("/logout", headers=headers)
    login(client, scene.author)
    page = client.get("/me/notices", headers=EN).get_data(as_text=True)
    assert "Appeal this decision" in page and "Off-topic" in page
    token = csrf_from(page)
    r = client.post(
        "/me/appeals",
        data={"comment_id": scene.comment.id, "body": "這與第3條有關", "csrf_token": token},
    )
    assert r.status_code == 302
    again = client.post(
        "/me/appeals",
        data={"comment_id": scene.comment.id, "body": "再一次", "csrf_token": token},
        headers=EN,
    )
    assert again.status_code in (302, 303)
    assert (
        db.session.scalar(select(Appeal).where(Appeal.comment_id == scene.comment.id)).body
        == "這與第3條有關"
    )
    h = {"X-CSRFToken": token, **EN}
    api_again = client.post(
        f"/api/v1/comments/{scene.comment.id}/appeal", json={"body": "三"}, headers=h
    )
    assert api_again.status_code == 409 and api_again.get_json()["error"]["code"] == "appeal_exists"
    client.post("/logout", data={"csrf_token": token})
    headers = api_login(client, scene.moderator)
    queue = client.get("/api/v1/moderation/queue?status=appeals", headers=headers).get_json()
    assert queue["total"] == 1
    appeal_id = queue["items"][0]["id"]
    assert "第3條" in client.get("/moderation/?status=appeals", headers=EN).get_data(as_text=True)
    r = client.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decision",
        json={"decision": "uphold"},
        headers=headers,
    )
    assert r.status_code == 200 and r.get_json()["appeal"]["status"] == "upheld"
    assert fresh(Comment, scene.comment.id).status == "visible"
    clash = client.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decision",
        json={"decision": "reject"},
        headers=headers,
    )
    assert clash.status_code == 409
    t = client.get(f"/api/v1/consultations/{scene.consultation.id}/transparency").get_json()
    assert t["appeals_upheld"] == 1 and t["hidden_by_reason"] == {"off_topic": 1}


def test_the_transparency_page_counts_hidden_comments_by_reason(client, scene):
    headers = api_login(client, scene.moderator)
    for reason in ("spam", "spam", "hate"):
        c = make_comment(scene.thread, body=f"{reason} 留言")
        act(client, headers, c.id, action="hide", reason=reason)
    client.post("/logout", headers=headers)
    page = client.get(f"/consultations/{scene.consultation.id}/transparency", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-reason="spam">2<' in html and 'data-reason="hate">1<' in html
    assert "Hidden now: 3" in html
    zh = client.get(f"/consultations/{scene.consultation.id}/transparency", headers=ZH)
    assert zh.status_code == 200


def test_the_rules_page_is_public(client):
    r = client.get("/rules", headers=EN)
    assert r.status_code == 200 and "Personal data" in r.get_data(as_text=True)
