"""Rate limits behind a proxy (issue 17 item 3): the proxy's headers are trusted only for the
configured number of hops, posting and voting count the account, logging in counts the address
and the e-mail address, and a 429 says how long to wait."""

from __future__ import annotations

import re

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from deliberation.services import accounts
from tests.clients import IsolatedClient
from tests.factories import (
    csrf_from,
    general_thread,
    make_comment,
    make_consultation,
    make_user,
)


def _app_with_limits(**config):  # type: ignore[no-untyped-def]
    """An app with the real limits on (the shared test app has them off); requests still use
    the test's database session."""
    application = create_app(TestingConfig, RATELIMIT_ENABLED=True, **config)
    application.test_client_class = IsolatedClient
    limiter.reset()
    return application


@pytest.fixture
def limits_on(session):
    """The limiter is one object for every app: switched on for this test only (its decorated
    views check `limiter.enabled`), then off again and emptied."""
    was = limiter.enabled
    yield
    limiter.reset()
    limiter.enabled = was


@pytest.fixture
def behind_nginx(limits_on):
    """A client of the app as deployed behind one nginx (TRUSTED_PROXY_HOPS=1)."""
    return _app_with_limits(TRUSTED_PROXY_HOPS=1).test_client()


@pytest.fixture
def no_proxy_trusted(limits_on):
    """The default: TRUSTED_PROXY_HOPS=0."""
    return _app_with_limits().test_client()


def _bearer(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _wrong_login(client, email: str, address: str):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": address}
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password!", "csrf_token": token},
        headers=headers,
    )


def test_the_proxy_is_trusted_only_when_configured():
    assert not isinstance(create_app(TestingConfig).wsgi_app, ProxyFix)
    app = create_app(TestingConfig, TRUSTED_PROXY_HOPS=1)
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 1


def test_wrong_logins_from_one_address_do_not_lock_out_everyone(behind_nginx):
    client = behind_nginx
    for n in range(20):
        assert _wrong_login(client, f"guess{n}@example.tw", "203.0.113.9").status_code == 400
    blocked = _wrong_login(client, "guess99@example.tw", "203.0.113.9")
    assert blocked.status_code == 429
    other = _wrong_login(client, "someone@example.tw", "198.51.100.7")
    assert other.status_code == 400  # another visitor behind the same proxy is not blocked


def test_without_trusted_hops_a_forged_header_does_not_escape_the_limit(no_proxy_trusted):
    client = no_proxy_trusted
    for n in range(20):
        _wrong_login(client, f"guess{n}@example.tw", f"192.0.2.{n}")
    assert _wrong_login(client, "x@example.tw", "192.0.2.200").status_code == 429


def test_guessing_one_accounts_password_from_many_addresses_is_limited(behind_nginx):
    client = behind_nginx
    victim = make_user(email="victim@example.tw")
    for n in range(10):
        assert _wrong_login(client, victim.email, f"198.51.100.{n}").status_code == 400
    assert _wrong_login(client, victim.email, "198.51.100.77").status_code == 429
    assert _wrong_login(client, "other@example.tw", "198.51.100.78").status_code == 400


def test_posting_counts_the_account_and_a_429_says_when_to_retry(behind_nginx):
    client = behind_nginx
    thread = general_thread(make_consultation(status="open"))
    first, second = make_user(), make_user()
    office = {"X-Forwarded-For": "203.0.113.50"}
    url = f"/api/v1/threads/{thread.id}/comments"
    headers = {**office, **_bearer(first)}
    for n in range(30):
        assert client.post(url, json={"body": f"第{n}則"}, headers=headers).status_code == 201
    refused = client.post(url, json={"body": "第31則"}, headers=headers)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 61  # the window is a minute, counted in whole seconds
    message = refused.get_json()["error"]["message"]
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert re.search(rf"\b{wait}\b", message), message
    # A colleague in the same office (same address) posts as usual.
    ok = client.post(url, json={"body": "我也有意見"}, headers={**office, **_bearer(second)})
    assert ok.status_code == 201


def test_voting_counts_the_account(behind_nginx):
    client = behind_nginx
    thread = general_thread(make_consultation(status="open"))
    target = make_comment(thread, make_user())
    office = {"X-Forwarded-For": "203.0.113.51"}
    headers = {**office, **_bearer(make_user())}
    url = f"/api/v1/comments/{target.id}/vote"
    codes = [
        client.post(url, json={"value": (1, -1)[n % 2]}, headers=headers).status_code
        for n in range(121)
    ]
    assert codes[:120] == [200] * 120 and codes[120] == 429
    other = client.post(url, json={"value": 1}, headers={**office, **_bearer(make_user())})
    assert other.status_code == 200
