"""Sessions end on the server (issue 17, item 10): after log-out the old session cookie and the
old remember-me cookie give nobody; remember-me lasts at most 30 days; the CSRF token changes at
log-in; the language cookie is Secure in production."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import create_app
from app.extensions import db
from config import TestingConfig
from deliberation.models import utcnow
from deliberation.trust.models import UserSession
from tests.factories import csrf_from, login, make_user

from .helpers import password_step


def _logout(client) -> None:
    token = csrf_from(client.get("/help").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def _cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found is not None else None


def test_replaying_the_session_cookie_after_log_out_is_not_logged_in(client):
    user = make_user()
    login(client, user)
    assert client.get("/me").status_code == 200
    stolen = _cookie(client, "session")
    _logout(client)
    client.set_cookie("session", stolen)
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "/logout" not in client.get("/help").get_data(as_text=True)  # the header: logged out


def test_replaying_the_remember_me_cookie_after_log_out_is_not_logged_in(client):
    user = make_user()
    password_step(client, user, remember=True)
    remember = [c for c in ("zy_remember", "remember_token") if _cookie(client, c)]
    assert remember, "a remember-me cookie was set"
    saved = {name: _cookie(client, name) for name in remember}
    _logout(client)
    client.delete_cookie("session")
    for name, value in saved.items():
        client.set_cookie(name, value)
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remembered_browser_comes_back_without_its_session_cookie(client):
    user = make_user()
    password_step(client, user, remember=True)
    client.delete_cookie("session")
    assert client.get("/me").status_code == 200


def test_remember_me_lasts_at_most_thirty_days(client):
    user = make_user()
    response = password_step(client, user, remember=True)
    lifetimes = []
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        if name in ("zy_remember", "remember_token"):
            attrs = dict(
                part.strip().split("=", 1) for part in header.split(";")[1:] if "=" in part
            )
            lifetimes.append(int(attrs["Max-Age"]))
    assert lifetimes and max(lifetimes) <= 30 * 24 * 3600
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.remember and row.expires_at <= utcnow() + timedelta(days=30)


def test_the_csrf_token_read_before_log_in_stops_working_after_it(client):
    user = make_user()
    before = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": before},
    )
    assert client.get("/me").status_code == 200
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400  # refused: the logged-in session has a new token
    assert client.get("/me").status_code == 200
    fresh = csrf_from(client.get("/help").get_data(as_text=True))
    assert fresh != before
    assert client.post("/logout", data={"csrf_token": fresh}).status_code == 302


def test_a_revoked_session_logs_the_browser_out_at_once(client):
    user = make_user()
    login(client, user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/me").status_code == 302


def test_an_expired_session_is_not_logged_in(client):
    user = make_user()
    login(client, user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/me").status_code == 302


def test_the_language_cookie_is_secure_when_session_cookies_are(session):
    app = create_app(TestingConfig, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/lang/en?next=/")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lang="))
    assert "Secure" in header and "HttpOnly" in header


def test_the_language_cookie_is_not_secure_in_development(client):
    header = next(
        h
        for h in client.get("/lang/en?next=/").headers.getlist("Set-Cookie")
        if h.startswith("lang=")
    )
    assert "Secure" not in header
