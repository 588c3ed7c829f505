"""忘記密碼: the answer never tells whether an address has an account, the mailed link works
once for an hour and ends the account's other sessions; every bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.sessions import REMEMBER_COOKIE
from deliberation.accounts import tokens
from deliberation.models import User
from deliberation.services import accounts
from tests.clients import IsolatedClient
from tests.factories import PASSWORD, csrf_from, login, make_user
from tests.mailbox import html_of, links, text_of

EN = {"Accept-Language": "en"}
NEW = "a brand new passphrase"


def ask_reset(client, email: str, headers=None):  # type: ignore[no-untyped-def]
    page = client.get("/forgot-password")
    return client.post(
        "/forgot-password",
        data={"email": email, "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers=headers or {},
    )


def path_of(link: str) -> str:
    return link[link.index("/reset-password/") :]


def set_password(client, path: str, password: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/forgot-password")  # a page with a form (a dead link has none)
    return client.post(
        path,
        data={
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
        headers=EN,
    )


def reset_link(mailbox, user: User) -> str:
    return path_of(links(mailbox.to(user.email)[-1])[0])


def test_the_reset_mail_has_a_link_in_text_and_html(client, mailbox):
    user = make_user()
    assert ask_reset(client, user.email.upper()).status_code == 302
    [message] = mailbox.to(user.email)
    assert "重設" in message["Subject"]
    assert "1 小時" in text_of(message)
    assert links(message)[0] in html_of(message)


def test_an_unknown_and_a_known_address_get_the_same_answer_by_the_same_path(
    client, mailbox, count_queries
):
    user = make_user()
    shapes = []
    for email in (user.email, "nobody@example.tw"):
        page = client.get("/forgot-password")
        token = csrf_from(page.get_data(as_text=True))
        count_queries.statements.clear()
        response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
        statements = list(count_queries.statements)
        follow = client.get(response.headers["Location"]).get_data(as_text=True)
        flashed = re.findall(r'<p class="flash[^"]*">(.*?)</p>', follow)  # the words said
        shapes.append((response.status_code, response.headers["Location"], statements, flashed))
    assert shapes[0] == shapes[1]  # status, redirect, the very same SQL, the same words
    assert len(mailbox.to(user.email)) == 1 and len(mailbox.messages) == 1


def test_the_link_sets_a_new_password_once(client, mailbox):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_link(mailbox, user)
    assert set_password(client, path).status_code == 302
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW)
    assert accounts.authenticate(db.session, user.email, NEW) is not None
    # the person is told, in a mail of its own
    assert "密碼已變更" in mailbox.to(user.email)[-1]["Subject"]

    again = set_password(client, path, "yet another passphrase")
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW)


def test_a_reset_ends_the_accounts_other_sessions_and_its_api_token(app, client, mailbox):
    user = make_user()
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    elsewhere = app.test_client()
    assert isinstance(elsewhere, IsolatedClient)
    login(elsewhere, user)
    assert elsewhere.get("/me").status_code == 200
    ask_reset(client, user.email)
    set_password(client, reset_link(mailbox, user))
    gone = elsewhere.get("/me")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    db.session.expire_all()
    assert accounts.user_for_token(db.session, token) is None


def test_a_remember_me_cookie_dies_with_the_password_too(app, client, mailbox):
    user = make_user()
    other = app.test_client()
    page = other.get("/login")
    other.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    remember = other.get_cookie(REMEMBER_COOKIE)
    assert remember is not None
    fresh = app.test_client()  # no session, only the long-lived cookie
    fresh.set_cookie(REMEMBER_COOKIE, remember.value)
    assert fresh.get("/me").status_code == 200
    ask_reset(client, user.email)
    set_password(client, reset_link(mailbox, user))
    stale = app.test_client()
    stale.set_cookie(REMEMBER_COOKIE, remember.value)
    assert stale.get("/me").status_code == 302


def test_an_expired_link_is_refused(client, mailbox, monkeypatch):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_link(mailbox, user)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.RESET, -1)
    response = client.get(path, headers=EN)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_the_link_lives_one_hour():
    assert tokens.MAX_AGE[tokens.RESET] == 3600


@pytest.mark.parametrize(
    "mangle",
    [
        # A character inside the signature (its last character may differ only in padding bits).
        lambda t: t[:-10] + ("A" if t[-10] != "A" else "B") + t[-9:],
        lambda t: t.replace(".", ".x", 1),
        lambda t: "",
    ],
)
def test_a_tampered_link_is_refused_and_changes_nothing(client, mailbox, mangle):
    user = make_user()
    before = user.password_hash
    ask_reset(client, user.email)
    token = reset_link(mailbox, user).rsplit("/", 1)[1]
    response = set_password(client, f"/reset-password/{mangle(token) or 'x'}")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


def test_a_token_for_another_purpose_cannot_reset(client, app):
    user = make_user()
    token = tokens.make(app.secret_key, tokens.VERIFY, user)
    assert client.get(f"/reset-password/{token}").status_code == 400


@pytest.mark.parametrize(
    ("password", "confirm", "words"),
    [
        ("short", None, "at least 8 characters"),
        ("password123", None, "most common"),
        ("iloveyou", None, "most common"),
        ("a brand new passphrase", "something else entirely", "not the same"),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_and_the_link_still_works(
    client, mailbox, password, confirm, words
):
    user = make_user()
    before = user.password_hash
    ask_reset(client, user.email)
    path = reset_link(mailbox, user)
    response = set_password(client, path, password, confirm)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
    assert set_password(client, path).status_code == 302  # still good for a proper password


def test_a_mistyped_address_is_explained(client, mailbox):
    response = ask_reset(client, "not-an-address", headers=EN)
    assert response.status_code == 400 and "valid e-mail" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_reset_link_also_proves_the_address(client, mailbox):
    user = make_user(verified=False)
    ask_reset(client, user.email)
    set_password(client, reset_link(mailbox, user))
    db.session.refresh(user)
    assert user.email_verified


def test_twenty_requests_a_minute_for_one_address_are_refused_with_a_clear_message(limited):
    with limited.app.app_context():
        accounts.create_user(db.session, email="busy@example.tw", display_name="忙碌", password=NEW)
        db.session.commit()
    statuses, last = [], None
    for _ in range(20):
        page = limited.client.get("/forgot-password")
        last = limited.client.post(
            "/forgot-password",
            data={"email": "busy@example.tw", "csrf_token": csrf_from(page.get_data(as_text=True))},
            headers=EN,
        )
        statuses.append(last.status_code)
    assert statuses[:5] == [302] * 5 and set(statuses[5:]) == {429}
    assert "Too many reset requests" in last.get_data(as_text=True)
    assert len(limited.mailbox.to("busy@example.tw")) == 5
    page = limited.client.get("/forgot-password")
    zh = limited.client.post(
        "/forgot-password",
        data={"email": "busy@example.tw", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert zh.status_code == 429 and "重設密碼的請求太多" in zh.get_data(as_text=True)


def test_twenty_requests_a_minute_from_one_ip_for_many_addresses_are_refused(limited):
    statuses = []
    for n in range(20):
        page = limited.client.get("/forgot-password")
        statuses.append(
            limited.client.post(
                "/forgot-password",
                data={
                    "email": f"someone{n}@example.tw",
                    "csrf_token": csrf_from(page.get_data(as_text=True)),
                },
            ).status_code
        )
    assert statuses[:10] == [302] * 10 and set(statuses[10:]) == {429}


def test_nobody_can_tell_from_the_database_either(client, mailbox):
    ask_reset(client, "nobody@example.tw")
    assert db.session.scalar(select(User.id).where(User.email == "nobody@example.tw")) is None
    assert mailbox.messages == []
