"""Every accounts route × every role. Public pages answer everyone; "my account" routes need a
log-in (the anonymous are sent to it); the privacy editor is for admins only; deleting one's
own account is for citizens (role accounts are closed by an admin)."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.accounts.models import PolicyDocument
from tests.factories import PASSWORD, csrf_from, login, make_agency, make_user

ROLES = (
    "anonymous",
    "citizen",
    "unverified",
    "staff",
    "other_staff",
    "reviewer",
    "moderator",
    "admin",
)
LOGGED_IN = set(ROLES) - {"anonymous"}

# (method, path, form body) -> who gets in
PUBLIC = [
    ("GET", "/register", None),
    ("GET", "/forgot-password", None),
    ("POST", "/forgot-password", {"email": "someone@example.tw"}),
    ("GET", "/privacy", None),
    ("GET", "/privacy/notice", None),
    ("GET", "/privacy?version=1", None),
]
BAD_LINKS = [
    ("GET", "/verify-email/not-a-token", None),
    ("GET", "/reset-password/not-a-token", None),
    ("POST", "/reset-password/not-a-token", {"password": "x" * 12, "confirm": "x" * 12}),
    ("GET", "/confirm-email/not-a-token", None),
]
MINE = [
    ("GET", "/me/account", None),
    ("GET", "/me/data.json", None),
    ("POST", "/verify-email/resend", {}),
    ("POST", "/me/password", {"current_password": "wrong", "password": "p", "confirm": "p"}),
    ("POST", "/me/email", {"email": "new@example.tw", "current_password": "wrong"}),
]
ADMIN = [
    ("GET", "/admin/privacy/policy", None),
    ("GET", "/admin/privacy/notice", None),
    ("POST", "/admin/privacy/policy", {"body_zh": "新版政策", "body_en": "New policy"}),
    ("POST", "/admin/privacy/notice", {"body_zh": "新版告知", "body_en": ""}),
]
DELETE = ("POST", "/me/delete", {"current_password": PASSWORD, "confirm": "y"})


@pytest.fixture
def users(session):
    return {
        "citizen": make_user(),
        "unverified": make_user(verified=False),
        "staff": make_user("staff", agency=make_agency()),
        "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
        "reviewer": make_user("reviewer"),
        "moderator": make_user("moderator"),
        "admin": make_user("admin"),
    }


def _call(client, users, role, route):  # type: ignore[no-untyped-def]
    method, path, body = route
    if role != "anonymous":
        login(client, users[role])
    token = csrf_from(client.get("/forgot-password").get_data(as_text=True))
    if method == "GET":
        return client.get(path)
    return client.post(path, data={**(body or {}), "csrf_token": token})


def _sent_to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("route", PUBLIC, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_public_account_pages_answer_everyone(client, users, role, route):
    response = _call(client, users, role, route)
    if route[0] == "POST":  # the reset request answers by sending everyone to the log-in page
        assert response.status_code == 302
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("route", BAD_LINKS, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_a_bad_link_is_a_400_for_everyone(client, users, role, route):
    assert _call(client, users, role, route).status_code == 400


@pytest.mark.parametrize("route", MINE, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_my_account_routes_need_a_log_in(client, users, role, route):
    response = _call(client, users, role, route)
    if role == "anonymous":
        assert _sent_to_login(response)
    else:
        assert response.status_code in (200, 302, 400) and not _sent_to_login(response)


@pytest.mark.parametrize("role", ROLES)
def test_my_data_through_the_api_needs_an_account(client, users, role):
    response = _call(client, users, role, ("GET", "/api/v1/me/data", None))
    if role == "anonymous":
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 200
        assert response.get_json()["profile"]["id"] == users[role].id


@pytest.mark.parametrize("route", ADMIN, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_the_privacy_editor_is_for_admins_only(client, users, role, route):
    before = db.session.query(PolicyDocument).count()
    response = _call(client, users, role, route)
    if role == "anonymous":
        assert _sent_to_login(response)
    elif role == "admin":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
    if role != "admin":
        assert db.session.query(PolicyDocument).count() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_citizens_delete_their_own_account(client, users, role):
    response = _call(client, users, role, DELETE)
    if role == "anonymous":
        assert _sent_to_login(response)
    elif role in ("citizen", "unverified"):
        assert response.status_code == 302
    else:
        assert response.status_code == 403
