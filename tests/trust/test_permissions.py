"""Every trust route × every role: the account administration pages admit admins only (401
without an account, 403 with any other); the reader's own security pages need an account (the
log-in page otherwise) and act only on the reader's own sessions; the code pages need a
password first."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.trust import names, sessions
from tests.factories import csrf_from, login, make_agency, make_user, save

ROLES = ("anonymous", "citizen", "staff", "other_staff", "reviewer", "moderator", "admin")

ADMIN_ROUTES = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/users?q=example", None),
    ("GET", "/admin/users/{subject}", None),
    ("POST", "/admin/users/{subject}/role", {"role": "reviewer"}),
    ("POST", "/admin/users/{subject}/sessions/{session}/revoke", {}),
    ("POST", "/admin/users/{subject}/sessions/revoke", {}),
    ("POST", "/admin/users/{subject}/token/revoke", {}),
    ("POST", "/admin/users/{subject}/two-factor/reset", {}),
    ("POST", "/admin/users/{subject}/name-exception", {"display_name": "部長本人"}),
    ("GET", "/admin/reserved-names", None),
    ("POST", "/admin/reserved-names", {"word": "市長"}),
    ("POST", "/admin/reserved-names/{word}/delete", {}),
    ("GET", "/admin/audit", None),
]
API_ROUTES = [
    ("GET", "/api/v1/admin/users/{subject}/sessions", None),
    ("DELETE", "/api/v1/admin/users/{subject}/sessions/{session}", None),
    ("DELETE", "/api/v1/admin/users/{subject}/sessions", None),
    ("DELETE", "/api/v1/admin/users/{subject}/token", None),
]
OWN_ROUTES = [
    ("GET", "/me/security", None),
    ("GET", "/me/display-name", None),
    ("POST", "/me/display-name", {"display_name": "新的名字"}),
    ("GET", "/me/two-factor/setup", None),
    ("POST", "/me/two-factor/setup", {"code": "000000"}),
    ("POST", "/me/two-factor/disable", {"code": "000000"}),
    ("POST", "/me/two-factor/recovery-codes", {"code": "000000"}),
]


@pytest.fixture
def world(session):
    from deliberation.trust import two_factor

    agency = make_agency()
    subject = make_user(name="被管理的帳號")
    row, _ = sessions.start(db.session, subject, remember=False, two_factor=False)
    two_factor.begin_enrolment(db.session, subject)
    admin = make_user("admin")
    word = names.add_word(db.session, "里長", actor=admin)
    save()
    users = {
        "citizen": make_user(),
        "staff": make_user("staff", agency=agency),
        "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
        "reviewer": make_user("reviewer"),
        "moderator": make_user("moderator"),
        "admin": admin,
    }
    ids = {"subject": subject.id, "session": row.id, "word": word.id}
    return users, ids


def _call(client, users, ids, role, route):
    method, template, body = route
    path = template.format(**ids)
    if role != "anonymous":
        login(client, users[role])
    token = csrf_from(
        client.get("/login" if role == "anonymous" else "/help").get_data(as_text=True)
    )
    if method == "GET":
        return client.get(path)
    if method == "DELETE":
        return client.delete(path, headers={"X-CSRFToken": token})
    return client.post(path, data={**(body or {}), "csrf_token": token})


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_account_administration_admits_admins_only(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    if role == "admin":
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == (401 if role == "anonymous" else 403)


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_the_account_api_admits_admins_only(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    if role == "admin":
        assert response.status_code in (200, 204, 404), response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == (401 if role == "anonymous" else 403)
        assert response.get_json()["error"]["code"] == (
            "not_authenticated" if role == "anonymous" else "admin_only"
        )


@pytest.mark.parametrize("route", OWN_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_the_readers_own_security_pages_need_an_account(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code in (200, 302, 400), response.get_data(as_text=True)[:300]
        assert response.status_code < 500


@pytest.mark.parametrize("role", ROLES)
def test_nobody_revokes_someone_elses_session_from_their_own_page(client, world, role):
    users, ids = world
    response = _call(client, users, ids, role, ("POST", "/me/sessions/{session}/revoke", {}))
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert sessions.of_user(db.session, ids["subject"])  # still live


@pytest.mark.parametrize("path", ["/login/two-factor", "/login/two-factor/setup"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_code_pages_need_a_password_first(client, world, path, method):
    if method == "GET":
        response = client.get(path)
    else:
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(path, data={"code": "123456", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
