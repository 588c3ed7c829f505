"""The account page: change password (needs the current one), change e-mail (takes effect once
the new address is verified; the old one is told), download my data, delete my account."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from deliberation.accounts import tokens
from deliberation.models import Comment, CommentRevision, Notification, User, Vote
from deliberation.services import accounts, comments, moderation, polis_io
from tests.factories import (
    PASSWORD,
    api_csrf,
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)
from tests.mailbox import links, text_of

EN = {"Accept-Language": "en"}
NEW = "a brand new passphrase"


def post_form(client, path: str, data: dict, headers=None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/me/account").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, headers=headers or EN)


# ---- password ---------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(client, mailbox):
    user = make_user()
    login(client, user)
    before = user.password_hash
    wrong = post_form(
        client, "/me/password", {"current_password": "nope nope", "password": NEW, "confirm": NEW}
    )
    assert wrong.status_code == 400 and "current password is not correct" in wrong.get_data(
        as_text=True
    )
    common = post_form(
        client,
        "/me/password",
        {"current_password": PASSWORD, "password": "qwertyuiop", "confirm": "qwertyuiop"},
    )
    assert common.status_code == 400 and "most common" in common.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
    assert mailbox.messages == []

    ok = post_form(
        client, "/me/password", {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW)
    assert "密碼已變更" in mailbox.to(user.email)[0]["Subject"]


def test_a_password_change_keeps_this_browser_and_ends_the_others(app, client):
    user = make_user()
    login(client, user)
    other = login(app.test_client(), user)
    assert other.get("/me").status_code == 200
    post_form(
        client, "/me/password", {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert client.get("/me").status_code == 200
    assert other.get("/me").status_code == 302


# ---- e-mail address ---------------------------------------------------------------------------


def test_a_new_address_takes_effect_only_once_verified_and_the_old_one_is_told(client, mailbox):
    user = make_user(email="old@example.tw")
    login(client, user)
    asked = post_form(
        client, "/me/email", {"email": "New@Example.tw", "current_password": PASSWORD}
    )
    assert asked.status_code == 302
    db.session.refresh(user)
    assert user.email == "old@example.tw"  # not yet
    [confirm] = mailbox.to("new@example.tw")
    assert "new@example.tw" in text_of(confirm)
    link = links(confirm)[0]
    assert client.get(link[link.index("/confirm-email/") :]).status_code == 302
    db.session.refresh(user)
    assert user.email == "new@example.tw" and user.email_verified
    [told] = mailbox.to("old@example.tw")
    assert "已變更" in told["Subject"] and "new@example.tw" in text_of(told)
    # the link dies with the change
    again = client.get(link[link.index("/confirm-email/") :], headers=EN)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"email": "not-an-address", "current_password": PASSWORD}, "valid e-mail"),
        ({"email": "taken@example.tw", "current_password": PASSWORD}, "already exists"),
        ({"email": "fresh@example.tw", "current_password": "wrong wrong"}, "not correct"),
    ],
)
def test_a_bad_address_change_is_explained_and_sends_nothing(client, mailbox, data, words):
    make_user(email="taken@example.tw")
    user = make_user(email="me@example.tw")
    login(client, user)
    response = post_form(client, "/me/email", data)
    assert response.status_code in (400, 409) and words in response.get_data(as_text=True)
    assert mailbox.messages == []
    db.session.refresh(user)
    assert user.email == "me@example.tw"


def test_an_address_taken_meanwhile_is_not_applied(client, app):
    user = make_user(email="me@example.tw")
    token = tokens.make(app.secret_key, tokens.CHANGE_EMAIL, user, e="wanted@example.tw")
    make_user(email="wanted@example.tw")
    response = client.get(f"/confirm-email/{token}", headers=EN)
    assert response.status_code == 409
    db.session.refresh(user)
    assert user.email == "me@example.tw"


# ---- download ----------------------------------------------------------------------------------


def test_my_data_holds_profile_comments_with_revisions_votes_flags_and_notices(client, app):
    thread = general_thread(make_consultation())
    me = make_user(name="資料主人")
    other = make_comment(thread, body="別人的看法")
    mine = make_comment(thread, me, body="第一版")
    comments.edit_comment(db.session, mine, actor=me, body="第二版", expected_version=1)
    comments.cast_vote(db.session, other.id, actor=me, value=-1)
    moderation.flag_comment(db.session, other.id, actor=me, reason="spam")
    db.session.add(Notification(user_id=me.id, kind="comment_held", comment_id=mine.id))
    db.session.commit()
    login(client, me)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["display_name"] == "資料主人" and data["profile"]["email"] == me.email
    [comment] = data["comments"]
    assert comment["body"] == "第二版" and [r["body"] for r in comment["revisions"]] == ["第一版"]
    assert data["votes"] == [{**data["votes"][0], "comment_id": other.id, "value": -1}]
    assert [f["reason"] for f in data["flags"]] == ["spam"]
    assert [n["kind"] for n in data["notices"]] == ["comment_held"]
    assert "別人的看法" not in response.get_data(as_text=True)
    # the same through the API with a personal access token
    token = accounts.issue_token(db.session, me)
    db.session.commit()
    api = client.get("/api/v1/me/data", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["comments"] == data["comments"]


# ---- deletion ----------------------------------------------------------------------------------


def delete_me(client, *, withdraw: bool = False, password: str = PASSWORD, confirm: bool = True):  # type: ignore[no-untyped-def]
    data = {"current_password": password}
    if withdraw:
        data["withdraw"] = "y"
    if confirm:
        data["confirm"] = "y"
    return post_form(client, "/me/delete", data)


@pytest.fixture
def author_world(session):
    thread = general_thread(make_consultation())
    me = make_user(name="林小明", email="ming@example.tw")
    visible = make_comment(thread, me, body="公開的意見")
    held = make_comment(thread, me, body="被檢舉的意見")
    other = make_comment(thread, body="別人的留言")
    comments.cast_vote(db.session, other.id, actor=me, value=1)
    for _ in range(1):
        moderation.flag_comment(db.session, held.id, actor=make_user(), reason="spam")
    db.session.commit()
    return thread, me, visible, held, other


def test_deleting_erases_the_person_and_keeps_comments_under_deleted_account(client, author_world):
    thread, me, visible, held, other = author_world
    login(client, me)
    response = delete_me(client)
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert user.display_name == "已刪除的帳號" and "ming" not in user.email
    assert not user.is_active and user.deleted_at is not None and user.api_token_hash is None
    assert accounts.authenticate(db.session, "ming@example.tw", PASSWORD) is None
    assert db.session.get(Comment, visible.id).body == "公開的意見"
    # the vote still counts, with no one behind it
    assert db.session.get(Comment, other.id).agree_count == 1
    assert db.session.scalar(select(Vote.id).where(Vote.comment_id == other.id)) is not None
    # logged out; the page, the API, the live payload show the new name only
    assert client.get("/me").status_code == 302
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "林小明" not in page and "已刪除的帳號" in page
    api = client.get(f"/api/v1/threads/{thread.id}/comments").get_json()
    names = json.dumps(api, ensure_ascii=False)
    assert "林小明" not in names and "已刪除的帳號" in names


def test_withdrawing_removes_the_text_unless_a_moderation_process_holds_it(client, author_world):
    thread, me, visible, held, _other = author_world
    comments.edit_comment(db.session, visible, actor=me, body="改過的意見", expected_version=1)
    db.session.commit()
    login(client, me)
    assert delete_me(client, withdraw=True).status_code == 302
    db.session.expire_all()
    withdrawn = db.session.get(Comment, visible.id)
    assert "公開的意見" not in withdrawn.body and "改過的意見" not in withdrawn.body
    assert "撤回" in withdrawn.body and not withdrawn.tokens
    revisions = db.session.scalars(
        select(CommentRevision.body).where(CommentRevision.comment_id == visible.id)
    ).all()
    assert revisions and all("公開的意見" not in body for body in revisions)
    # a flagged comment is under review: its text stays for the record
    assert db.session.get(Comment, held.id).body == "被檢舉的意見"
    # analysis no longer reads the withdrawn one
    analysed = moderation.visible_comments_for_analysis(db.session, thread.consultation_id)
    assert visible.id not in {c.id for c in analysed} and held.id in {c.id for c in analysed}


def test_exports_do_not_name_a_deleted_account(client, author_world):
    thread, me, visible, _held, _other = author_world
    login(client, me)
    delete_me(client, withdraw=True)
    export = polis_io.export_polis(db.session, thread.consultation_id, actor=None, operator=True)
    text = "\n".join(export.files.values())
    assert "林小明" not in text and "ming@example.tw" not in text
    assert "公開的意見" not in text  # withdrawn


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"password": "wrong password"}, "not correct"),
        ({"confirm": False}, "tick the box"),
    ],
)
def test_a_deletion_without_the_password_or_the_confirmation_changes_nothing(
    client, author_world, kwargs, words
):
    _thread, me, visible, *_ = author_world
    login(client, me)
    response = delete_me(client, withdraw=True, **kwargs)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, me.id).display_name == "林小明"
    assert db.session.get(Comment, visible.id).body == "公開的意見"


def test_staff_accounts_are_closed_by_an_admin_not_deleted(client):
    staff = make_user("staff")
    login(client, staff)
    response = delete_me(client)
    assert response.status_code == 403 and "closed by an administrator" in response.get_data(
        as_text=True
    )
    db.session.refresh(staff)
    assert staff.is_active


def test_the_account_page_offers_each_action(client):
    login(client, make_user())
    html = client.get("/me/account", headers=EN).get_data(as_text=True)
    for words in (
        "Change password",
        "Change e-mail address",
        "Download my data",
        "Delete my account",
    ):
        assert words in html
    assert "/me/account" in client.get("/me").get_data(as_text=True)


def test_the_api_refuses_an_unverified_session_too(client):
    thread = general_thread(make_consultation())
    login(client, make_user(verified=False))
    response = client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "試試看"},
        headers={**api_csrf(client), **EN},
    )
    assert response.status_code == 403
