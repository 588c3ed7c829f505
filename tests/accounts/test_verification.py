"""Registration with the privacy notice and consent, the verification mail, and what an
unverified citizen may do: read everything, but comment, vote and flag only after verifying."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation import rules
from deliberation.accounts import tokens
from deliberation.accounts.models import Consent, PolicyDocument
from deliberation.models import Comment, User
from deliberation.services import accounts
from tests.factories import (
    api_csrf,
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)
from tests.mailbox import html_of, links, text_of

EN = {"Accept-Language": "en"}
PASSWORD = "a long passphrase"


def register(client, email="new@example.tw", *, consent=True, headers=None, **extra):  # type: ignore[no-untyped-def]
    page = client.get("/register", headers=headers or {})
    data = {
        "email": email,
        "display_name": extra.pop("display_name", "新朋友"),
        "password": extra.pop("password", "a long passphrase"),
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        **({"consent": "y"} if consent else {}),
    }
    return client.post("/register", data=data, headers=headers or {})


def register_and_log_in(client, email="new@example.tw", **kwargs):  # type: ignore[no-untyped-def]
    response = register(client, email, **kwargs)
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    return response


def user_by(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_registration_shows_the_collection_notice_and_records_the_accepted_version(client):
    page = client.get("/register").get_data(as_text=True)
    assert "個人資料蒐集告知事項" in page and "第 3 條" in page
    assert 'name="consent"' in page
    assert register(client).status_code == 302
    user = user_by("new@example.tw")
    assert user is not None and not user.email_verified and user.language == "zh_TW"
    consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent is not None
    document = db.session.get(PolicyDocument, consent.document_id)
    assert (document.kind, document.version) == ("collection_notice", 1)


def test_registration_without_consent_is_refused_and_creates_nothing(client):
    response = register(client, consent=False, headers=EN)
    assert response.status_code == 400
    assert "tick the box to agree" in response.get_data(as_text=True)
    assert user_by("new@example.tw") is None
    assert db.session.scalar(select(Consent.id)) is None


def test_registration_mails_a_verification_link_in_zh_tw_as_text_and_html(client, mailbox):
    register(client)
    [message] = mailbox.to("new@example.tw")
    assert "驗證" in message["Subject"]
    assert "新朋友 您好" in text_of(message)
    link = links(message)[0]
    assert "/verify-email/" in link
    assert link in html_of(message) and "<a href=" in html_of(message)


def test_an_english_reader_gets_the_mail_in_english(client, mailbox):
    register(client, "en@example.tw", headers=EN)
    [message] = mailbox.to("en@example.tw")
    assert message["Subject"] == "Please verify your e-mail address for Zhongyi"
    assert "Hello 新朋友" in text_of(message)


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_mail(client, mailbox):
    owner = make_user(email="taken@example.tw", name="原主人")
    shapes = []
    for email in ("Taken@Example.tw", "free@example.tw"):
        response = register(client, email, headers=EN)
        follow = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
        start = follow.index('class="flashes"')
        flashed = follow[start : follow.index("</p>", start)].replace(email.lower(), "ADDR")
        shapes.append((response.status_code, response.headers["Location"], flashed))
    assert shapes[0] == shapes[1]
    assert user_by("free@example.tw") is not None
    [note] = mailbox.to("taken@example.tw")
    assert "已經有帳號" in text_of(note)  # in the owner's language
    assert "/forgot-password" in text_of(note) and "/verify-email/" not in text_of(note)
    db.session.refresh(owner)
    assert owner.display_name == "原主人"
    assert [m["Subject"] for m in mailbox.to("free@example.tw")]


def test_nothing_is_mailed_when_the_registration_is_refused(client, mailbox):
    register(client, password="short")
    register(client, consent=False)
    assert mailbox.messages == []


def test_an_unverified_citizen_reads_but_cannot_comment_vote_or_flag(client, mailbox):
    consultation = make_consultation()
    thread = general_thread(consultation)
    other = make_comment(thread, body="別人的留言")
    register_and_log_in(client)
    page = client.get(f"/threads/{thread.id}", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "別人的留言" in html
    assert "Please verify your e-mail address" in html and "Send the link again" in html
    assert 'id="body-new"' not in html  # no comment form, the reason instead
    assert 'class="flag-form"' not in html  # and no flag form

    token = csrf_from(html)
    posted = client.post(
        f"/threads/{thread.id}", data={"body": "我想留言", "csrf_token": token}, headers=EN
    )
    assert posted.status_code == 403
    headers = {**api_csrf(client, f"/threads/{thread.id}"), **EN}
    api = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "我想留言"}, headers=headers
    )
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "email_unverified"
    vote = client.post(f"/api/v1/comments/{other.id}/vote", json={"value": 1}, headers=headers)
    assert vote.status_code == 403 and vote.get_json()["error"]["code"] == "email_unverified"
    flag = client.post(
        f"/api/v1/comments/{other.id}/flags", json={"reason": "spam"}, headers=headers
    )
    assert flag.status_code == 403 and flag.get_json()["error"]["code"] == "email_unverified"
    assert db.session.scalar(select(Comment.id).where(Comment.body == "我想留言")) is None
    assert db.session.get(Comment, other.id).agree_count == 0

    # Following the mailed link unlocks it.
    link = links(mailbox.to("new@example.tw")[0])[0]
    verified = client.get(link[link.index("/verify-email/") :])
    assert verified.status_code == 302
    api = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "我想留言"}, headers=headers
    )
    assert api.status_code == 201


def test_the_verification_link_works_logged_out_and_a_second_click_changes_nothing(client, mailbox):
    register(client)  # registering does not log in
    link = links(mailbox.to("new@example.tw")[0])[0]
    path = link[link.index("/verify-email/") :]
    assert client.get(path).status_code == 302
    assert user_by("new@example.tw").email_verified
    again = client.get(path, headers=EN, follow_redirects=True)
    assert "already verified" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("mangle", "code", "words"),
    [
        (
            lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),
            "token_invalid",
            "not valid",
        ),
        (lambda t: t[: len(t) // 2], "token_invalid", "not valid"),
        (lambda t: "garbage", "token_invalid", "not valid"),
    ],
)
def test_a_tampered_verification_link_is_refused_and_verifies_nothing(
    client, app, mangle, code, words
):
    user = make_user(verified=False)
    token = tokens.make(app.secret_key, tokens.VERIFY, user)
    response = client.get(f"/verify-email/{mangle(token)}", headers=EN)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.email_verified


def test_an_expired_verification_link_is_refused(client, app, monkeypatch):
    user = make_user(verified=False)
    token = tokens.make(app.secret_key, tokens.VERIFY, user)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.VERIFY, -1)
    response = client.get(f"/verify-email/{token}", headers=EN)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.email_verified


def test_a_reset_token_cannot_verify_an_address(client, app):
    user = make_user(verified=False)
    token = tokens.make(app.secret_key, tokens.RESET, user)
    assert client.get(f"/verify-email/{token}").status_code == 400
    db.session.refresh(user)
    assert not user.email_verified


def test_resend_mails_a_new_link_and_is_rate_limited_per_account(limited):
    with limited.app.app_context():
        accounts.create_user(
            db.session,
            email="slow@example.tw",
            display_name="慢慢來",
            password=PASSWORD,
            verified=False,
        )
        db.session.commit()
    client = limited.client
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "slow@example.tw",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    answers = []
    for _ in range(5):
        token = csrf_from(client.get("/me/account").get_data(as_text=True))
        answers.append(client.post("/verify-email/resend", data={"csrf_token": token}, headers=EN))
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert "Please wait a few minutes" in answers[-1].get_data(as_text=True)
    assert len(limited.mailbox.to("slow@example.tw")) == 3


def test_factory_and_admin_made_accounts_are_verified(session):
    assert make_user().email_verified
    staff = accounts.create_user(
        db.session, email="s@example.tw", display_name="承辦", password="a long passphrase"
    )
    assert staff.email_verified


def test_the_shared_rule_refuses_an_unverified_account_everywhere():
    class Person:
        id, role, agency_id, is_active = 1, "citizen", None, True
        email_verified = False

    assert rules.participation_refusal(Person()) == "email_unverified"
    Person.email_verified = True
    assert rules.participation_refusal(Person()) is None


def test_the_comment_and_flag_forms_appear_once_verified(client):
    thread = general_thread(make_consultation())
    make_comment(thread, body="可以檢舉的留言")
    login(client, make_user())
    html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert re.search(r'id="body-new"', html) and 'class="flag-form"' in html


def test_registering_one_address_again_and_again_is_limited_with_a_clear_message(limited):
    statuses, last = [], None
    for n in range(5):
        page = limited.client.get("/register")
        last = limited.client.post(
            "/register",
            data={
                "email": "target@example.tw",
                "display_name": f"試{n}",
                "password": PASSWORD,
                "consent": "y",
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
            headers=EN,
        )
        statuses.append(last.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert "Too many registrations" in last.get_data(as_text=True)
    # one account and one verification link; the repeats only told its owner (after the first)
    assert len(limited.mailbox.to("target@example.tw")) == 3
