"""Participation figures: here versus imported, and the stickiness (黏著度) measures."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from deliberation.services import comments, imports, stickiness
from deliberation.services import moderation as mod_service
from tests.factories import api_csrf, login, make_agency, make_comment, make_user, save

from .helpers import EN

TAIPEI = ZoneInfo("Asia/Taipei")
DAY1 = datetime(2024, 5, 1, 10, 0, tzinfo=TAIPEI)
KEY = b"participation-key"


def _import(desk, platform: str, handle: str, n: int, text: str = "外部意見"):
    item = imports.validate_item(
        {
            "platform": platform,
            "url": f"https://{platform}.example/p/{n}",
            "author": handle,
            "text": text,
        }
    )
    return imports.import_item(db.session, desk.thread, item, actor=desk.staff, key=KEY).comment


@pytest.fixture
def discussion(desk):
    a, b, c, d, e = (make_user(name=n) for n in "ABCDE")
    t = desk.thread
    c1 = make_comment(t, a, "頂層一", now=DAY1)
    r1 = make_comment(t, b, "回覆 A", parent=c1, now=DAY1 + timedelta(minutes=30))
    make_comment(t, a, "回覆 B", parent=r1, now=DAY1 + timedelta(minutes=90))
    c2 = make_comment(t, c, "頂層二", now=DAY1 + timedelta(minutes=10))
    make_comment(t, c, "自己補充", parent=c2, now=DAY1 + timedelta(hours=2))
    make_comment(t, a, "隔天回覆 C", parent=c2, now=DAY1 + timedelta(minutes=10, hours=26))
    c3 = make_comment(t, d, "頂層三", now=DAY1 + timedelta(minutes=20))
    comments.cast_vote(db.session, c3.id, actor=b, value=1, now=DAY1 + timedelta(days=1))
    hidden_here = make_comment(t, e, "會被隱藏", now=DAY1)
    _import(desk, "facebook", "fb-one", 1)
    _import(desk, "facebook", "fb-two", 2)
    _import(desk, "facebook", "fb-one", 3)
    _import(desk, "ptt", "kuma", 4)
    hidden_imported = _import(desk, "ptt", "troll", 5)
    moderator = make_user("moderator")
    for item in (hidden_here, hidden_imported):
        mod_service.act_on_comment(
            db.session, item.id, actor=moderator, action="hide", reason="spam"
        )
    save()
    return desk


def test_stickiness_counts_only_visible_comments_written_here(discussion):
    figures = stickiness.participation(db.session, discussion.consultation, actor=discussion.staff)
    s = figures.stickiness
    assert (s.participants, s.returning_participants, s.returning_share) == (4, 2, 0.5)
    assert (s.top_level, s.replies, s.replies_per_comment) == (3, 4, 1.33)
    # c1 answered after 30 min, c2 (the author's own reply does not count) after 26 h.
    assert s.answered == 2
    assert s.median_first_reply_seconds == (30 * 60 + 26 * 3600) / 2
    # Only c1 has two people replying to each other.
    assert (s.back_and_forth, s.back_and_forth_share) == (1, 0.3333)
    assert s.conversations_with_replies == 2


def test_imported_comments_are_counted_apart_per_platform(discussion):
    figures = stickiness.participation(db.session, discussion.consultation, actor=discussion.staff)
    assert (figures.comments_here, figures.commenters_here, figures.voters_here) == (7, 4, 1)
    assert figures.imported_total == 4  # the hidden one is not counted
    assert [(p.platform, p.comments, p.participants) for p in figures.imported] == [
        ("facebook", 3, 2),
        ("ptt", 1, 1),
    ]
    assert stickiness.visible_count(db.session, discussion.consultation.id) == (7, 4)
    origins = imports.imported_origins(db.session, discussion.consultation.id)
    assert sorted(origins.values()) == ["facebook", "facebook", "facebook", "ptt", "ptt"]


def test_the_participation_page_says_how_many_came_from_where(client, discussion):
    login(client, discussion.staff)
    r = client.get(f"/staff/consultations/{discussion.consultation.id}/participation", headers=EN)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "7 comments here, 4 imported from other media." in html
    assert "Imported from Facebook" in html and "Imported from PTT" in html
    assert 'data-measure="returning">2 / 4 (50%)' in html
    assert 'data-measure="replies">1.33' in html
    assert 'data-measure="first-reply">13.2 h</dd>' in html  # 47700 s
    assert 'data-measure="back-and-forth">1 / 3 (33%)' in html
    assert f"/embed/consultations/{discussion.consultation.id}" in html  # the embed code


def test_the_participation_api_gives_the_same_figures(client, discussion):
    login(client, discussion.staff)
    body = client.get(
        f"/api/v1/consultations/{discussion.consultation.id}/participation"
    ).get_json()
    assert body["here"] == {"comments": 7, "commenters": 4, "voters": 1}
    assert body["imported"]["comments"] == 4
    assert body["imported"]["by_platform"][0] == {
        "platform": "facebook",
        "comments": 3,
        "participants": 2,
    }
    assert body["stickiness"]["replies_per_comment"] == 1.33
    assert body["stickiness"]["median_first_reply_seconds"] == 47700.0


def test_participation_figures_are_for_staff_and_moderators_only(client, desk):
    page = f"/staff/consultations/{desk.consultation.id}/participation"
    api = f"/api/v1/consultations/{desk.consultation.id}/participation"
    assert client.get(page).status_code == 401
    assert client.get(api).status_code == 401
    for user, allowed in (
        (make_user(), False),
        (make_user("staff", agency=make_agency("MOI", "內政部")), False),
        (make_user("moderator"), True),
        (desk.staff, True),
    ):
        c = login(client.application.test_client(), user)
        assert (c.get(page).status_code == 200) is allowed
        r = c.get(api)
        assert (r.status_code == 200) is allowed
        if not allowed:
            assert r.status_code == 403


def test_an_empty_consultation_has_no_figures_rather_than_errors(client, desk):
    login(client, desk.staff)
    r = client.get(f"/staff/consultations/{desk.consultation.id}/participation", headers=EN)
    assert r.status_code == 200
    body = client.get(
        f"/api/v1/consultations/{desk.consultation.id}/participation", headers=api_csrf(client)
    ).get_json()
    assert body["stickiness"]["replies_per_comment"] is None
    assert body["stickiness"]["median_first_reply_seconds"] is None
