"""Notifications as people notice them: a reply, a mention, a followed thread or consultation,
read state, the header count, and nothing about hidden or pending text."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import outbox
from app.extensions import db
from deliberation.models import Follow, Notification, utcnow
from deliberation.notifications import operations
from deliberation.notifications.models import Notification as OwnNotification
from deliberation.outbox import pending
from deliberation.services import comments, consultations, moderation
from deliberation.services.moderation import notify as old_notify
from tests.factories import (
    api_csrf,
    csrf_from,
    general_thread,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
    save,
)

EN = {"Accept-Language": "en"}


def settle() -> None:
    """Run the follow-up jobs the factories' commits deferred (the commit point does this)."""
    outbox.run_deferred(db.session)


def kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def header_count(client) -> str:
    html = client.get("/help", headers=EN).get_data(as_text=True)
    start = html.index('class="unread-count"')
    return html[start : html.index("</span>", start)]


def test_a_reply_to_my_comment_notifies_me_once_and_opening_it_leads_to_the_reply(client):
    thread = general_thread(make_consultation())
    alice, bob = make_user(name="林愛麗"), make_user(name="鮑伯")
    mine = make_comment(thread, alice, body="我認為補助應該延長")
    login(client, bob)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    response = client.post(
        f"/threads/{thread.id}",
        data={"body": "同意，而且要簡化申請", "parent_id": mine.id, "csrf_token": csrf_from(page)},
    )
    assert response.status_code in (302, 303)
    assert kinds(alice) == ["reply"]
    assert kinds(bob) == []  # no notification about one's own comment

    login(client, alice)
    assert 'data-count="1"' in header_count(client)
    listing = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "鮑伯 replied to your comment" in listing and "同意，而且要簡化申請" in listing
    item = db.session.scalar(select(Notification).where(Notification.user_id == alice.id))
    opened = client.get(f"/notifications/{item.id}")
    reply_id = item.comment_id
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/comments/{reply_id}#c{reply_id}")
    db.session.expire_all()
    assert item.read_at is not None
    assert "hidden" in header_count(client)


def test_a_held_reply_notifies_nobody_until_a_moderator_approves_it(session):
    item = make_consultation()
    thread = general_thread(item)
    moderator = make_user("moderator")
    alice = make_user(name="林愛麗")
    mine = make_comment(thread, alice, body="第一則")
    moderation.update_settings(db.session, actor=moderator, consultation=item, premoderation=True)
    save()
    settle()
    reply = make_comment(thread, make_user(), body="@林愛麗 我不同意", parent=mine)
    settle()
    assert reply.status == "pending"
    assert kinds(alice) == []
    moderation.act_on_comment(db.session, reply.id, actor=moderator, action="approve")
    save()
    settle()
    assert kinds(alice) == ["reply"]  # a reply that also mentions: one notification


def test_a_mention_by_display_name_notifies_that_person(session):
    thread = general_thread(make_consultation())
    wang, chen = make_user(name="王小明"), make_user(name="陳大文")
    make_comment(thread, make_user(), body="@王小明你好，謝謝@陳大文：請看第二條")
    settle()
    assert kinds(wang) == ["mention"] and kinds(chen) == ["mention"]


def test_a_hidden_comment_notifies_nobody(session):
    thread = general_thread(make_consultation())
    wang = make_user(name="王小明")
    comment = comments.post_comment(db.session, thread, actor=make_user(), body="@王小明 看這裡")
    moderation.act_on_comment(
        db.session, comment.id, actor=make_user("moderator"), action="hide", reason="spam"
    )
    save()
    settle()
    assert kinds(wang) == []


def test_a_rolled_back_reply_notifies_nobody(session):
    thread = general_thread(make_consultation())
    alice = make_user()
    mine = make_comment(thread, alice)
    settle()
    comments.post_comment(db.session, thread, actor=make_user(), body="回覆", parent_id=mine.id)
    db.session.rollback()
    settle()
    assert kinds(alice) == []


def test_switching_off_my_comment_stops_reply_notifications(client):
    thread = general_thread(make_consultation())
    alice = make_user()
    mine = make_comment(thread, alice)
    login(client, alice)
    response = client.delete(f"/api/v1/follows/comment/{mine.id}", headers=api_csrf(client))
    assert response.get_json()["following"] is False
    make_comment(thread, make_user(), body="回覆", parent=mine)
    settle()
    assert kinds(alice) == []
    refused = client.put(
        f"/api/v1/follows/comment/{make_comment(thread, make_user()).id}",
        headers=api_csrf(client),
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "follow_own_comments_only"


def test_following_a_thread_tells_me_of_each_new_comment_in_it(client):
    thread = general_thread(make_consultation())
    carol = make_user()
    login(client, carol)
    page = client.get(f"/threads/{thread.id}", headers=EN).get_data(as_text=True)
    assert "Follow this discussion" in page
    client.post(
        "/follows",
        data={"target_type": "thread", "target_id": thread.id, "csrf_token": csrf_from(page)},
    )
    page = client.get(f"/threads/{thread.id}", headers=EN).get_data(as_text=True)
    assert "Following this discussion" in page
    make_comment(thread, make_user(), body="新的意見")
    make_comment(thread, carol, body="我自己的")
    settle()
    assert kinds(carol) == ["thread_comment"]


def test_followers_hear_a_consultation_open_close_and_publish(session):
    agency = make_agency("MOI", "內政部")
    staff = make_user("staff", agency=agency)
    draft = make_consultation(staff=staff, status="draft")
    fan_of_agency, follower = make_user(), make_user()
    operations.set_follow(db.session, "agency", agency.id, actor=fan_of_agency)
    consultations.set_status(db.session, draft, "open", actor=staff)
    save()
    settle()
    assert kinds(fan_of_agency) == ["consultation_opened"]
    operations.set_follow(db.session, "consultation", draft.id, actor=follower)
    consultations.set_status(db.session, draft, "closed", actor=staff)
    save()
    settle()
    assert kinds(follower) == ["consultation_closed"]
    assert kinds(fan_of_agency) == ["consultation_opened"]  # the agency's fans: openings only


def test_a_draft_cannot_be_followed_by_outsiders(client):
    draft = make_consultation(status="draft")
    login(client, make_user())
    response = client.put(f"/api/v1/follows/consultation/{draft.id}", headers=api_csrf(client))
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.target_id == draft.id)) == 0


def test_the_closing_reminder_is_sent_once_however_often_it_runs(app, session):
    item = make_consultation(closes_at=utcnow() + timedelta(days=2))
    later = make_consultation(closes_at=utcnow() + timedelta(days=10))
    settle()  # their openings are told to nobody: no one follows them yet
    follower = make_user()
    operations.set_follow(db.session, "consultation", item.id, actor=follower)
    operations.set_follow(db.session, "consultation", later.id, actor=follower)
    save()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notifications", "remind-closing"])
    assert first.exit_code == 0, first.output
    assert "closing-soon notifications: 1" in first.output
    again = runner.invoke(args=["notifications", "remind-closing"])
    assert "closing-soon notifications: 0" in again.output
    assert kinds(follower) == ["consultation_closing"]


def test_mark_read_and_mark_all_read_through_the_api(client):
    thread = general_thread(make_consultation())
    alice = make_user()
    mine = make_comment(thread, alice)
    for n in range(3):
        make_comment(thread, make_user(), body=f"回覆 {n}", parent=mine)
    settle()
    login(client, alice)
    listing = client.get("/api/v1/notifications").get_json()
    assert listing["unread"] == 3 and len(listing["items"]) == 3
    first = listing["items"][0]["id"]
    answer = client.post(f"/api/v1/notifications/{first}/read", headers=api_csrf(client))
    assert answer.get_json()["unread"] == 2
    assert client.get("/api/v1/notifications/unread-count").get_json() == {"count": 2}
    client.post("/api/v1/notifications/read-all", headers=api_csrf(client))
    assert client.get("/api/v1/notifications/unread-count").get_json() == {"count": 0}

    login(client, make_user())  # someone else's notification does not exist for me
    other = client.post(f"/api/v1/notifications/{first}/read", headers=api_csrf(client))
    assert other.status_code == 404


def test_the_request_only_declares_the_fan_out_and_the_job_reaches_every_follower(session):
    thread = general_thread(make_consultation())
    followers = [make_user() for _ in range(40)]
    for user in followers:
        operations.set_follow(db.session, "thread", thread.id, actor=user)
    save()
    comment = comments.post_comment(db.session, thread, actor=make_user(), body="大家好")
    # In the request: one follow-up, no notification rows whatever the number of followers.
    assert [f.args for f in pending(db.session) if f.name == operations.COMMENTS] == [
        ([comment.id],)
    ]
    db.session.flush()
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    save()
    settle()
    count = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.comment_id == comment.id)
    )
    assert count == 40


def test_moderation_notices_are_notifications_and_old_imports_still_work(session):
    assert Notification is OwnNotification and old_notify is operations.notify
    thread = general_thread(make_consultation())
    author = make_user()
    comment = make_comment(thread, author)
    moderation.act_on_comment(
        db.session, comment.id, actor=make_user("moderator"), action="hide", reason="spam"
    )
    save()
    assert kinds(author) == ["comment_hidden"]


def test_each_follower_is_told_once_for_the_strongest_reason_however_often_the_job_runs(session):
    thread = general_thread(make_consultation())
    alice, carol, gone = make_user(), make_user(name="陳卡蘿"), make_user()
    mine = make_comment(thread, alice, body="我的意見")
    for user in (alice, carol, gone):
        operations.set_follow(db.session, "thread", thread.id, actor=user)
    gone.is_active = False
    save()
    reply = make_comment(thread, make_user(), body="回覆你，也請 @陳卡蘿 看看", parent=mine)
    settle()
    operations.fan_out_comment(db.session, reply.id)  # the job again: nothing twice
    save()
    told = dict(
        db.session.execute(
            select(Notification.user_id, Notification.kind).where(
                Notification.comment_id == reply.id
            )
        ).all()
    )
    assert told == {alice.id: "reply", carol.id: "mention"}
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.comment_id == reply.id)
        )
        == 2
    )
