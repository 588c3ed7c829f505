"""The moderator's pages: the queue (filters, pages, bulk), a comment in context, the log."""

from __future__ import annotations

import re

from app.extensions import db
from deliberation.models import Comment
from deliberation.services import moderation
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
    save,
)

from .helpers import EN, fresh, log_rows


def _held(thread, n, body="我的電話 0912345678 第{i}則"):
    return [make_comment(thread, body=body.format(i=i)) for i in range(n)]


def test_the_queue_lists_pending_and_flagged_comments_with_context(client, scene):
    reply = make_comment(scene.thread, body="回覆：電話 0912345678", parent=scene.comment)
    flagged = make_comment(scene.thread, body="被檢舉的留言")
    moderation.flag_comment(
        db.session, flagged.id, actor=make_user(), reason="spam", note="廣告連結"
    )
    save()
    login(client, scene.moderator)
    page = client.get("/moderation/", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="q{reply.id}"' in html and f'id="q{flagged.id}"' in html
    assert "In reply to" in html and "這個條文需要再討論" in html  # the parent, for context
    assert "廣告連結" in html and "Personal data detected" in html
    assert f'id="q{scene.comment.id}"' not in html
    only_flagged = client.get("/moderation/?status=flagged", headers=EN).get_data(as_text=True)
    assert f'id="q{flagged.id}"' in only_flagged and f'id="q{reply.id}"' not in only_flagged
    by_reason = client.get("/moderation/?reason=spam", headers=EN).get_data(as_text=True)
    assert f'id="q{flagged.id}"' in by_reason and f'id="q{reply.id}"' not in by_reason
    other = make_consultation(title="另一個草案")
    elsewhere = client.get(f"/moderation/?consultation={other.id}", headers=EN).get_data(
        as_text=True
    )
    assert f'id="q{reply.id}"' not in elsewhere
    old = client.get("/moderation/?age=24", headers=EN).get_data(as_text=True)
    assert f'id="q{reply.id}"' not in old


def test_queue_filters_reject_bad_values_with_a_message(client, scene):
    login(client, scene.moderator)
    for query in (
        "status=nope",
        "reason=boring",
        "page=0",
        "age=x",
        "sort=random",
        "consultation=abc",
    ):
        r = client.get(f"/moderation/?{query}", headers=EN)
        assert r.status_code == 400, query
        assert "not valid" in r.get_data(as_text=True)


def test_the_queue_pages_through_many_items(client, scene):
    _held(scene.thread, 30)
    login(client, scene.moderator)
    first = client.get("/moderation/", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('class="mod-item"') == 25
    second = client.get("/moderation/?page=2", headers=EN).get_data(as_text=True)
    assert second.count('class="mod-item"') == 5


def test_bulk_approve_applies_to_each_selected_comment_and_reports_conflicts(client, scene):
    items = _held(scene.thread, 3)
    login(client, scene.moderator)
    html = client.get("/moderation/", headers=EN).get_data(as_text=True)
    token = csrf_from(html)
    data = {"action": "approve", "ids": [str(c.id) for c in items], "csrf_token": token}
    for c in items:
        data[f"version-{c.id}"] = str(c.version)
    # Someone else hid the last one in the meantime.
    moderation.act_on_comment(
        db.session, items[2].id, actor=make_user("moderator"), action="hide", reason="spam"
    )
    save()
    r = client.post("/moderation/bulk", data=data, headers=EN)
    assert r.status_code == 302
    assert [fresh(Comment, c.id).status for c in items] == ["visible", "visible", "hidden"]
    after = client.get(r.headers["Location"], headers=EN).get_data(as_text=True)
    assert "2 done" in after and "Another moderator changed this comment" in after


def test_the_comment_page_shows_context_and_its_forms_act(client, scene):
    held = make_comment(scene.thread, body="電話 0912345678", parent=scene.comment)
    login(client, scene.moderator)
    page = client.get(f"/moderation/comments/{held.id}", headers=EN)
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and "這個條文需要再討論" in html
        and "mobile number" in html
        and "mobile_phone" not in html
    )
    token = csrf_from(html)
    version = held.version
    r = client.post(
        f"/moderation/comments/{held.id}/action",
        data={"action": "redact", "version": str(version), "csrf_token": token},
    )
    assert r.status_code == 302
    assert "0912345678" not in fresh(Comment, held.id).body
    stale = client.post(
        f"/moderation/comments/{held.id}/action",
        data={
            "action": "hide",
            "reason": "spam",
            "version": str(version),
            "csrf_token": token,
        },
        headers=EN,
    )
    assert stale.status_code == 409
    assert "Another moderator changed this comment" in stale.get_data(as_text=True)
    missing_reason = client.post(
        f"/moderation/comments/{held.id}/action",
        data={"action": "hide", "csrf_token": token},
        headers=EN,
    )
    assert missing_reason.status_code == 400 and "choose the rule" in missing_reason.get_data(
        as_text=True
    )
    assert [r.action for r in log_rows(held.id)] == ["hold", "redact"]


def test_flagging_from_the_thread_page(client, scene):
    user = make_user()
    login(client, user)
    html = client.get(f"/threads/{scene.thread.id}", headers=EN).get_data(as_text=True)
    assert f'action="/comments/{scene.comment.id}/flag"' in html
    token = csrf_from(html)
    r = client.post(
        f"/comments/{scene.comment.id}/flag",
        data={"reason": "off_topic", "csrf_token": token},
        headers=EN,
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#c{scene.comment.id}")
    assert fresh(Comment, scene.comment.id).flag_count == 1
    page = client.get(r.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Moderators will review" in page
    again = client.post(
        f"/comments/{scene.comment.id}/flag",
        data={"reason": "spam", "csrf_token": token},
        headers=EN,
    )
    assert "already flagged" in client.get(again.headers["Location"], headers=EN).get_data(
        as_text=True
    )
    assert fresh(Comment, scene.comment.id).flag_count == 1


def test_the_thread_page_shows_pins_and_a_moderate_link_for_moderators(client, scene):
    moderation.act_on_comment(db.session, scene.comment.id, actor=scene.moderator, action="pin")
    later = make_comment(scene.thread, body="較晚但未置頂")
    save()
    html = client.get(f"/threads/{scene.thread.id}?sort=newest", headers=EN).get_data(as_text=True)
    assert "Pinned by a moderator" in html
    assert html.index(f'id="c{scene.comment.id}"') < html.index(f'id="c{later.id}"')
    assert "moderate-link" not in html
    login(client, scene.moderator)
    assert "moderate-link" in client.get(f"/threads/{scene.thread.id}").get_data(as_text=True)


def test_the_log_page_and_user_page_render(client, scene):
    moderation.act_on_comment(
        db.session, scene.comment.id, actor=scene.moderator, action="hide", reason="spam"
    )
    moderation.sanction_user(
        db.session, scene.author.id, actor=scene.moderator, kind="mute", reason="spam", days=1
    )
    save()
    login(client, scene.moderator)
    log = client.get("/moderation/log", headers=EN).get_data(as_text=True)
    assert "Spam or advertising" in log and "Mute" in log
    assert client.get("/moderation/log?action=nope").status_code == 400
    user = client.get(f"/moderation/users/{scene.author.id}", headers=EN).get_data(as_text=True)
    assert "in force" in user and "Lift" in user


def test_the_queue_page_costs_a_fixed_number_of_queries(client, scene, count_queries):
    other = general_thread(make_consultation())
    _held(scene.thread, 5)
    login(client, scene.moderator)
    count_queries.statements.clear()
    client.get("/moderation/")
    small = len(count_queries.statements)
    _held(other, 20)
    count_queries.statements.clear()
    client.get("/moderation/")
    assert len(count_queries.statements) == small
    assert re.search(r"ix_|comments", " ".join(count_queries.statements))
