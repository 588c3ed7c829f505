"""Two-factor sign-in: privileged accounts are sent to enrolment after their password and can
do nothing else; enrolment with a TOTP app; codes at log-in; wrong, replayed and too many codes
refused with a clear message; single-use recovery codes; citizens may turn it on and off."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.trust import two_factor
from deliberation.trust.models import AccountAudit, RecoveryCode, TwoFactor
from tests.factories import csrf_from, make_user

from .helpers import code, password_step

pytestmark = pytest.mark.usefixtures("two_factor_on", "frozen_clock")

SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def _enrol(client, user, k: int = -1) -> tuple[str, list[str]]:
    """Log in with the password, read the key from the enrolment page, confirm with a code."""
    response = password_step(client, user)
    assert response.headers["Location"].endswith("/login/two-factor/setup")
    page = client.get("/login/two-factor/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    done = client.post(
        "/login/two-factor/setup", data={"code": code(secret, k), "csrf_token": csrf_from(page)}
    )
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    codes = re.findall(
        r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.get_data(as_text=True)
    )
    return secret, codes


def _code_step(client, value: str):
    page = client.get("/login/two-factor").get_data(as_text=True)
    return client.post("/login/two-factor", data={"code": value, "csrf_token": csrf_from(page)})


@pytest.mark.parametrize("role", ["staff", "moderator", "reviewer", "admin"])
def test_a_privileged_account_with_a_password_alone_is_sent_to_enrolment_and_can_do_nothing(
    client, role
):
    user = make_user(role)
    response = password_step(client, user, next_path="/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/two-factor/setup")
    # Not logged in until enrolled: every page treats the browser as anonymous.
    assert client.get("/me").status_code == 302
    assert client.get("/api/v1/moderation/queue").status_code == 401
    page = client.get("/login/two-factor/setup")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "otpauth" not in html.split("<svg")[0][-200:]
    assert SECRET_RE.search(html)


def test_enrolment_shows_ten_recovery_codes_stored_hashed_and_logs_the_staff_member_in(client):
    staff = make_user("staff")
    _, codes = _enrol(client, staff)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)
    ).all()
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored)
    assert client.get("/me").status_code == 200
    assert (
        db.session.scalar(
            select(AccountAudit.action).where(AccountAudit.subject_user_id == staff.id)
        )
        == "two_factor_enabled"
    )


def test_an_enrolled_account_needs_its_code_and_a_wrong_code_is_refused_clearly(client):
    staff = make_user("staff")
    secret, _ = _enrol(client, staff)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/help").get_data(as_text=True))}
    )
    response = password_step(client, staff)
    assert response.headers["Location"].endswith("/login/two-factor")
    assert client.get("/me").status_code == 302  # the password alone is not a log-in
    wrong = _code_step(client, "000000" if code(secret, 0) != "000000" else "111111")
    assert wrong.status_code == 400
    assert "驗證碼不正確" in wrong.get_data(as_text=True)
    assert client.get("/me").status_code == 302
    ok = _code_step(client, code(secret, 0))
    assert ok.status_code == 302
    assert client.get("/me").status_code == 200


def test_a_replayed_code_from_the_same_time_step_is_refused(client):
    staff = make_user("moderator")
    secret, _ = _enrol(client, staff, k=0)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/help").get_data(as_text=True))}
    )
    password_step(client, staff)
    replay = _code_step(client, code(secret, 0))  # the code that enrolled, same step
    assert replay.status_code == 400
    assert "已經用過" in replay.get_data(as_text=True)
    assert client.get("/me").status_code == 302
    assert _code_step(client, code(secret, 1)).status_code == 302  # the next step's code works


def test_five_wrong_codes_pause_the_account_even_for_the_right_code(client):
    staff = make_user("reviewer")
    secret, _ = _enrol(client, staff)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/help").get_data(as_text=True))}
    )
    password_step(client, staff)
    for _ in range(5):
        assert (
            _code_step(client, "123 456" if code(secret, 0) != "123456" else "654321").status_code
            == 400
        )
    blocked = _code_step(client, code(secret, 0))
    assert blocked.status_code == 400
    assert "錯誤次數太多" in blocked.get_data(as_text=True)
    assert db.session.scalar(select(TwoFactor.locked_until).where(TwoFactor.user_id == staff.id))


def test_a_recovery_code_works_once(client):
    staff = make_user("staff")
    _, codes = _enrol(client, staff)
    logout = lambda: client.post(  # noqa: E731
        "/logout", data={"csrf_token": csrf_from(client.get("/help").get_data(as_text=True))}
    )
    logout()
    password_step(client, staff)
    assert _code_step(client, codes[0].upper()).status_code == 302
    assert client.get("/me").status_code == 200
    logout()
    password_step(client, staff)
    again = _code_step(client, codes[0])
    assert again.status_code == 400
    assert two_factor.recovery_codes_left(db.session, staff.id) == 9


def test_a_citizen_can_turn_two_factor_on_and_off(client):
    citizen = make_user()
    assert password_step(client, citizen).headers["Location"].endswith("/")  # no 2FA needed
    page = client.get("/me/two-factor/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    done = client.post(
        "/me/two-factor/setup", data={"code": code(secret, -1), "csrf_token": csrf_from(page)}
    )
    assert done.status_code == 200 and "recovery-codes" in done.get_data(as_text=True)
    assert two_factor.is_enabled(db.session, citizen.id)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/help").get_data(as_text=True))}
    )
    assert password_step(client, citizen).headers["Location"].endswith("/login/two-factor")
    assert _code_step(client, code(secret, 0)).status_code == 302
    token = csrf_from(client.get("/me/security").get_data(as_text=True))
    client.post("/me/two-factor/disable", data={"code": code(secret, 1), "csrf_token": token})
    assert not two_factor.is_enabled(db.session, citizen.id)


def test_staff_cannot_turn_two_factor_off(client):
    staff = make_user("staff")
    secret, _ = _enrol(client, staff)
    token = csrf_from(client.get("/me/security").get_data(as_text=True))
    response = client.post(
        "/me/two-factor/disable", data={"code": code(secret, 0), "csrf_token": token}
    )
    assert response.status_code == 302
    assert two_factor.is_enabled(db.session, staff.id)


def test_the_code_page_without_a_password_first_sends_back_to_log_in(client):
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/login/two-factor/setup")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_new_recovery_codes_replace_the_old_ones(client):
    staff = make_user("staff")
    secret, old = _enrol(client, staff)
    token = csrf_from(client.get("/me/security").get_data(as_text=True))
    wrong = client.post(
        "/me/two-factor/recovery-codes", data={"code": "12345", "csrf_token": token}
    )
    assert wrong.status_code == 302  # back to the page with the message; nothing renewed
    page = client.post(
        "/me/two-factor/recovery-codes", data={"code": code(secret, 0), "csrf_token": token}
    )
    new = re.findall(
        r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page.get_data(as_text=True)
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout", data={"csrf_token": token})
    password_step(client, staff)
    assert _code_step(client, old[0]).status_code == 400
    assert _code_step(client, new[0]).status_code == 302
