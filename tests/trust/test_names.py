"""Display names that claim an office are refused at registration and rename, however they are
spaced or widened; admins edit the list and grant a named person an exception."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.errors import ValidationError
from deliberation.models import User
from deliberation.trust import names, rules
from deliberation.trust.models import AccountAudit
from tests.factories import csrf_from, login, make_agency, make_user

from .helpers import post_form

IMPERSONATION = "國發會 承辦人 林科員"


@pytest.mark.parametrize(
    "name",
    [
        "國發會 承辦人 林科員",
        "國 發 會",
        "國　家　發　展　委　員　會",  # ideographic spaces
        "国家发展委员会 小編",  # simplified
        "ＡＤＭＩＮ",
        "a d m i n",
        "Official 小林",
        "moderators",
        "NDC 阿明",
        "ndc·阿明",
        "官·方",
        "本站管理員",
        "交通部發言人",
    ],
)
def test_names_claiming_an_office_are_reserved(name):
    words = [*rules.BUILTIN_RESERVED, "國家發展委員會", "NDC", "國發會"]
    assert rules.reserved_hit(name, words) is not None, name


@pytest.mark.parametrize("name", ["阿美", "badminton 愛好者", "林小明", "Adminh 不是", "官田人"])
def test_ordinary_names_pass(name):
    words = [*rules.BUILTIN_RESERVED, "國家發展委員會", "NDC", "國發會"]
    assert rules.reserved_hit(name, words) is None, name


def _register(client, name: str):
    page = client.get("/register").get_data(as_text=True)
    return client.post(
        "/register",
        data={
            "email": "newcomer@example.tw",
            "display_name": name,
            "password": "a long enough password",
            "csrf_token": csrf_from(page),
        },
    )


def test_registering_as_an_agency_official_is_refused_with_a_clear_message(client, session):
    make_agency("NDC", "國家發展委員會")
    names.add_word(session, "國發會", actor=make_user("admin"))
    session.commit()
    response = _register(client, IMPERSONATION)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "官方職務" in text and "國發會" in text
    assert db.session.scalar(select(User).where(User.email == "newcomer@example.tw")) is None


@pytest.mark.parametrize("name", ["國家發展委員會 林科員", "ＮＤＣ 小林", "國 發 會 科 員"])
def test_agency_names_and_codes_are_reserved_without_being_listed(client, name):
    make_agency("NDC", "國家發展委員會")
    assert _register(client, name).status_code == 400


def test_renaming_to_an_official_name_is_refused_and_the_old_name_stays(client):
    citizen = make_user(name="阿美")
    login(client, citizen)
    response = post_form(
        client, "/me/display-name", {"display_name": IMPERSONATION}, page="/me/display-name"
    )
    assert response.status_code == 400
    assert "官方職務" in response.get_data(as_text=True)
    db.session.refresh(citizen)
    assert citizen.display_name == "阿美"
    ok = post_form(
        client, "/me/display-name", {"display_name": "阿美的新名字"}, page="/me/display-name"
    )
    assert ok.status_code == 302
    db.session.refresh(citizen)
    assert citizen.display_name == "阿美的新名字"


def test_a_word_an_admin_adds_is_refused_and_one_removed_is_allowed_again(client):
    admin = make_user("admin")
    login(client, admin)
    post_form(client, "/admin/reserved-names", {"word": "市長"}, page="/admin/reserved-names")
    assert "市長" in names.reserved_words(db.session)
    citizen = make_user()
    with pytest.raises(ValidationError) as refused:
        names.rename(db.session, citizen, "臺北 市 長")
    assert getattr(refused.value, "code", "") == "name_reserved"
    db.session.rollback()
    word = names.admin_words(db.session)[0]
    post_form(client, f"/admin/reserved-names/{word.id}/delete", page="/admin/reserved-names")
    assert names.rename(db.session, citizen, "臺北市長迷").display_name == "臺北市長迷"
    actions = db.session.scalars(select(AccountAudit.action)).all()
    assert "reserved_name_added" in actions and "reserved_name_removed" in actions


def test_an_admin_grants_a_named_person_an_exception_and_it_is_audited(client):
    admin = make_user("admin")
    person = make_user(name="林先生")
    login(client, admin)
    response = post_form(
        client,
        f"/admin/users/{person.id}/name-exception",
        {"display_name": "前部長 林某", "note": "本人，已查證"},
        page=f"/admin/users/{person.id}",
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.display_name == "前部長 林某"
    # The exception is for this person and this name only.
    assert names.rename(db.session, person, "前 部長 林某").display_name == "前 部長 林某"
    other = make_user()
    with pytest.raises(ValidationError):
        names.rename(db.session, other, "前部長 林某")
    db.session.rollback()
    row = db.session.scalar(
        select(AccountAudit).where(AccountAudit.action == "name_exception_granted")
    )
    assert row.actor_id == admin.id and row.subject_user_id == person.id
    assert row.detail["name"] == "前部長 林某"


@pytest.mark.parametrize(
    ("value", "words"),
    # (A NUL byte is refused earlier, for every form, by app/params.py: tests/integration.)
    [("", "請輸入顯示名稱"), ("名" * 81, "80"), ("\u200b\u2060", "請輸入顯示名稱")],
)
def test_a_bad_display_name_gets_a_clear_message_and_changes_nothing(client, value, words):
    citizen = make_user(name="原本的名字")
    login(client, citizen)
    response = post_form(
        client, "/me/display-name", {"display_name": value}, page="/me/display-name"
    )
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    db.session.refresh(citizen)
    assert citizen.display_name == "原本的名字"
