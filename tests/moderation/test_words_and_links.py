"""Pages speak one vocabulary in zh-TW (issue 15): states, roles, rules and automatic hold notes
in words, full-width punctuation around them, and the transparency page linked from each
consultation and from the footer, for every role."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.services import comments, moderation
from tests.factories import login, make_agency, make_comment, make_consultation, make_user

ZH = {"Accept-Language": "zh-TW"}
ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")


def test_the_log_shows_states_and_hold_notes_in_words(client, scene):
    moderation.act_on_comment(
        db.session, scene.comment.id, actor=scene.moderator, action="hide", reason="spam"
    )
    held = make_comment(scene.thread, make_user(), body="我的電話 0912345678")
    db.session.commit()
    assert held.status == "pending"
    login(client, scene.moderator)
    html = client.get("/moderation/log", headers=ZH).get_data(as_text=True)
    assert "公開 → 已隱藏" in html
    assert "visible →" not in html and "→ hidden" not in html and "→ pending" not in html
    assert "偵測到：手機號碼" in html and "mobile_phone" not in html


def test_the_user_page_and_profile_show_roles_and_full_width_punctuation(client, scene):
    login(client, scene.moderator)
    html = client.get(f"/moderation/users/{scene.author.id}", headers=ZH).get_data(as_text=True)
    assert "民眾" in html and "· citizen" not in html
    comments.edit_comment(db.session, scene.comment, actor=scene.author, body="改過的內容")
    db.session.commit()
    client.get("/logout")
    login(client, scene.author)
    html = client.get("/me", headers=ZH).get_data(as_text=True)
    assert "身分：民眾" in html and "身分: " not in html
    assert "（已編輯）" in html and "(已編輯)" not in html


def test_the_rules_page_shows_no_codes(client, session):
    html = client.get("/rules", headers=ZH).get_data(as_text=True)
    assert "垃圾訊息或廣告" in html and "<code>spam</code>" not in html


@pytest.fixture
def people(session):
    agency = make_agency("NDC", "國家發展委員會")
    other = make_agency("MOI", "內政部")
    staff = make_user("staff", agency=agency)
    return {
        "anonymous": None,
        "citizen": make_user(),
        "moderator": make_user("moderator"),
        "staff": staff,
        "other_staff": make_user("staff", agency=other),
        "reviewer": make_user("reviewer"),
        "admin": make_user("admin"),
        "_consultation": make_consultation(staff=staff, title="公開的諮詢"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_transparency_is_linked_from_the_footer_and_each_consultation(client, people, role):
    consultation = people["_consultation"]
    if people[role] is not None:
        login(client, people[role])
    link = f'href="/consultations/{consultation.id}/transparency"'
    home = client.get("/", headers=ZH).get_data(as_text=True)
    assert 'href="/transparency"' in home  # the footer
    index = client.get("/transparency", headers=ZH)
    assert index.status_code == 200 and link in index.get_data(as_text=True)
    page = client.get(f"/consultations/{consultation.id}", headers=ZH).get_data(as_text=True)
    assert link in page
    assert client.get(f"/consultations/{consultation.id}/transparency").status_code == 200
