"""What a reader is told on the pages (issue 21): refusals said before the click, held comments
said at once, read-only notices instead of dead forms, counts that agree, moderators' context."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import func, select

from app.demo.content import INTRO, SECTIONS
from app.extensions import db
from deliberation.models import Flag, Sanction, utcnow
from deliberation.outcome.words import roc_date
from deliberation.services import comments, moderation
from tests.factories import (
    csrf_from,
    general_thread,
    hours_ago,
    login,
    make_comment,
    make_consultation,
    make_user,
    save,
)

ZH = {"Accept-Language": "zh-TW"}
EN = {"Accept-Language": "en"}
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def scene(session):
    consultation = make_consultation()
    thread = general_thread(consultation)
    author = make_user(name="作者")
    reader = make_user(name="讀者")
    moderator = make_user("moderator", name="管理員")
    comment = make_comment(thread, author, body="這個條文需要**再討論**")
    return consultation, thread, author, reader, moderator, comment


def _mute(user, moderator, days: int = 3) -> Sanction:
    sanction = moderation.sanction_user(
        db.session, user.id, actor=moderator, kind="mute", reason="harassment", days=days
    )
    save()
    return sanction


def _main(html: str) -> str:
    return html[html.index('<main id="main"') :]


# ---- muted readers ----------------------------------------------------------------------------


def test_a_muted_reader_sees_a_notice_in_taiwan_time_instead_of_the_comment_form(client, scene):
    _c, thread, _author, reader, moderator, _comment = scene
    sanction = _mute(reader, moderator)
    login(client, reader)
    html = client.get(f"/threads/{thread.id}", headers=ZH).get_data(as_text=True)
    assert 'id="body-new"' not in html and 'details class="reply"' not in html
    ends = sanction.ends_at.astimezone(TAIPEI)  # Taiwan time, the 民國 date of zh-TW pages
    local = f"{roc_date(ends.date())} {ends:%H:%M}"
    assert f"您的帳號已被禁言（唯讀）至 {local}" in html
    assert "UTC" not in _main(html)
    # The vote buttons say why before anything is sent (static/js/app.js shows it on click).
    assert html.count('aria-disabled="true"') >= 3
    assert 'data-refusal="您的帳號已被禁言（唯讀）至' in html


def test_a_muted_readers_vote_is_refused_with_the_end_in_their_language(client, scene):
    _c, _thread, _author, reader, moderator, comment = scene
    sanction = _mute(reader, moderator)
    login(client, reader)
    token = csrf_from(client.get("/").get_data(as_text=True))
    r = client.post(
        f"/api/v1/comments/{comment.id}/vote",
        json={"value": 1},
        headers={"X-CSRFToken": token, **EN},
    )
    assert r.status_code == 403
    message = r.get_json()["error"]["message"]
    local = format_datetime(sanction.ends_at, "short", tzinfo=TAIPEI, locale="en")
    assert local in message and "UTC" not in message


# ---- flags ------------------------------------------------------------------------------------


def test_a_flagged_comment_says_flagged_by_you_instead_of_the_form(client, scene):
    _c, thread, _author, reader, _moderator, comment = scene
    login(client, reader)
    token = csrf_from(client.get(f"/threads/{thread.id}").get_data(as_text=True))
    r = client.post(
        f"/comments/{comment.id}/flag", data={"csrf_token": token, "reason": "off_topic"}
    )
    assert r.status_code == 302
    html = client.get(f"/threads/{thread.id}", headers=ZH).get_data(as_text=True)
    article = html[html.index(f'id="c{comment.id}"') :]
    assert "已檢舉" in article
    assert f"/comments/{comment.id}/flag" not in html


def test_other_without_a_note_keeps_the_flag_form_open_with_the_reason_and_a_message(client, scene):
    _c, thread, _author, reader, _moderator, comment = scene
    login(client, reader)
    token = csrf_from(client.get(f"/threads/{thread.id}").get_data(as_text=True))
    r = client.post(
        f"/comments/{comment.id}/flag",
        data={"csrf_token": token, "reason": "other", "note": "  "},
        follow_redirects=True,
        headers=ZH,
    )
    html = r.get_data(as_text=True)
    flag = html[html.index('<details class="flag" open>') :]
    flag = flag[: flag.index("</details>")]
    assert '<option value="other" selected>' in flag
    assert "請補充說明問題所在。" in flag and 'role="alert"' in flag
    assert db.session.scalar(select(func.count(Flag.id))) == 0
    # Only once: the next visit shows the ordinary closed form.
    again = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert '<details class="flag" open>' not in again


# ---- held comments and expired edits ----------------------------------------------------------


def test_a_held_comment_says_at_once_that_it_awaits_review_and_why(client, scene):
    _c, thread, _author, reader, _moderator, _comment = scene
    login(client, reader)
    token = csrf_from(client.get(f"/threads/{thread.id}").get_data(as_text=True))
    r = client.post(
        f"/threads/{thread.id}",
        data={"csrf_token": token, "body": "請打給我 0912-345-678"},
        follow_redirects=True,
        headers=ZH,
    )
    html = r.get_data(as_text=True)
    assert "需經管理員審核後才會公開" in html and "原因：偵測到個資" in html
    assert "您的留言已送出" not in html


def test_an_expired_edit_link_shows_a_read_only_notice_not_a_form(client, session):
    thread = general_thread(make_consultation())
    author = make_user()
    old = make_comment(thread, author, body="昨天的留言", now=hours_ago(24))
    login(client, author)
    r = client.get(f"/comments/{old.id}/edit", headers=ZH)
    html = r.get_data(as_text=True)
    assert r.status_code == 403
    assert 'id="edit-locked"' in html and "這則留言已無法再編輯。" in html
    assert 'name="body"' not in html and "儲存" not in _main(html)


# ---- /me ---------------------------------------------------------------------------------------


def test_my_page_shows_rendered_text_and_vote_words_not_markdown_or_emoji(client, scene):
    _c, thread, author, _reader, _moderator, comment = scene
    other = make_comment(thread, make_user(), body="另一則**重點**意見")
    comments.cast_vote(db.session, other.id, actor=author, value=1)
    comments.cast_vote(db.session, comment.id, actor=make_user(), value=-1)
    save()
    login(client, author)
    html = _main(client.get("/me", headers=ZH).get_data(as_text=True))
    assert "**" not in html
    assert "<strong>再討論</strong>" in html and "另一則重點意見" in html
    assert "👍" not in html and "👎" not in html
    assert re.search(r"不同意</span> 1", html)


# ---- counts -----------------------------------------------------------------------------------


def test_the_thread_header_counts_every_visible_comment_as_the_consultation_page_does(
    client, scene
):
    consultation, thread, author, reader, _moderator, comment = scene
    make_comment(thread, reader, body="回覆一", parent=comment)
    make_comment(thread, author, body="回覆二", parent=comment)
    make_comment(thread, reader, body="第二則")
    html = client.get(f"/threads/{thread.id}", headers=ZH).get_data(as_text=True)
    assert re.search(r'<span class="comment-total" data-count="4"[^>]*>4 則留言</span>', html)
    page = client.get(f"/consultations/{consultation.id}", headers=ZH).get_data(as_text=True)
    assert "4 則留言" in page


# ---- moderators -------------------------------------------------------------------------------


def test_in_context_shows_the_parent_and_the_neighbouring_replies(client, scene):
    _c, thread, author, reader, moderator, comment = scene
    first = make_comment(thread, reader, body="第一則回覆", parent=comment)
    middle = make_comment(thread, author, body="中間的回覆", parent=comment)
    make_comment(thread, reader, body="最後的回覆", parent=comment)
    make_comment(thread, reader, body="別處的留言")
    login(client, moderator)
    html = client.get(f"/moderation/comments/{middle.id}", headers=ZH).get_data(as_text=True)
    context = html[html.index('aria-labelledby="context-h"') :]
    context = context[: context.index("</section>")]
    assert "<strong>再討論</strong>" in context  # the parent
    assert "第一則回覆" in context and "最後的回覆" in context
    assert "別處的留言" not in context
    assert context.index("第一則回覆") < context.index('aria-current="true"')
    assert context.index('aria-current="true"') < context.index("最後的回覆")
    assert f"#{first.id}" in context


def test_an_appeal_card_shows_the_hidden_text_and_the_rule_to_the_moderator(client, scene):
    _c, _thread, author, _reader, moderator, comment = scene
    moderation.act_on_comment(
        db.session,
        comment.id,
        actor=moderator,
        action="hide",
        reason="harassment",
        note="請對事不對人",
    )
    moderation.submit_appeal(db.session, actor=author, body="我沒有針對人", comment_id=comment.id)
    save()
    login(client, moderator)
    html = client.get("/moderation/?status=appeals", headers=ZH).get_data(as_text=True)
    card = html[html.index('class="mod-item card"') :]
    assert "<strong>再討論</strong>" in card  # the hidden text, to the moderator
    assert "人身攻擊" in card and "請對事不對人" in card and "我沒有針對人" in card
    one = client.get(f"/moderation/comments/{comment.id}", headers=ZH).get_data(as_text=True)
    appeal = one[one.index('aria-labelledby="appeal-h"') :]
    assert "人身攻擊" in appeal[: appeal.index("</section>")]


def test_the_rule_menus_are_labelled_and_the_queue_is_a_list(client, scene):
    _c, _thread, author, _reader, moderator, comment = scene
    moderation.flag_comment(db.session, comment.id, actor=make_user(), reason="spam")
    save()
    login(client, moderator)
    html = client.get(f"/moderation/comments/{comment.id}").get_data(as_text=True)
    for sid in ("hide-reason", "s-reason"):
        assert f'<label for="{sid}">' in html and f'id="{sid}"' in html
    user = client.get(f"/moderation/users/{author.id}").get_data(as_text=True)
    assert '<label for="u-reason">' in user
    queue = client.get("/moderation/").get_data(as_text=True)
    assert 'role="listitem"' not in queue and 'role="list"' not in queue
    assert re.search(r'<ol class="mod-list">\s*<li class="mod-item"', queue)


# ---- help and the demo ------------------------------------------------------------------------

ROLES = ("anonymous", "citizen", "moderator", "staff", "reviewer", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_citizen_help_leaves_developer_details_to_their_own_page(client, session, role):
    if role != "anonymous":
        login(client, make_user(role))
    help_html = _main(client.get("/help", headers=EN).get_data(as_text=True))
    for developer_detail in ("nofollow", "docs/api.md", "Bearer", "/api/v1"):
        assert developer_detail not in help_html
    assert 'href="/help/developers"' in help_html
    r = client.get("/help/developers", headers=EN)
    assert r.status_code == 200 and "Authorization: Bearer" in r.get_data(as_text=True)
    staff_part = "For agency staff" in help_html
    assert staff_part == (role in ("staff", "reviewer", "admin"))


def test_the_demo_overview_lists_only_sections_that_exist():
    titles = [title for title, _body in SECTIONS]
    line = next(p for p in INTRO.split("\n\n") if "目標" in p and "推動策略" in p)
    listed = line[line.index("：") + 1 : line.index("。")].split("；")
    assert len(listed) >= 4
    for item in listed:
        numbers = item.split("、")[0]
        for number in numbers.split("至"):
            assert any(t.startswith(number + "、") for t in titles), (
                f"the overview lists {item}, which has no section"
            )
    assert not any(t.startswith("壹") for t in titles) and "壹、緣起；" not in INTRO


def test_a_comment_edit_within_the_window_still_shows_the_form(client, scene):
    _c, _thread, author, _reader, _moderator, comment = scene
    assert utcnow() - comment.created_at < timedelta(minutes=15)
    login(client, author)
    html = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    assert 'name="body"' in html and 'id="edit-locked"' not in html
