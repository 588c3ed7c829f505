"""Every webhook route as each role: the agency's own staff and admins manage its webhooks;
staff of another agency, moderators, reviewers and citizens are refused; nobody anonymous."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.webhooks.models import Webhook
from tests.factories import csrf_from, login, make_agency, make_user

from .helpers import make_hook

ROLES = ("anonymous", "citizen", "moderator", "reviewer", "other_staff", "staff", "admin")
ALLOWED = {"staff", "admin"}
GETS = ("/staff/webhooks", "/api/v1/webhooks", "/api/v1/webhooks/<id>/deliveries")
POSTS = (
    "/staff/webhooks",
    "/staff/webhooks/<id>/test",
    "/staff/webhooks/<id>/active",
    "/staff/webhooks/<id>/secret",
)


@pytest.fixture
def people(session):
    agency = make_agency("MOA", "農業部")
    other = make_agency("MOI", "內政部")
    staff = make_user("staff", agency=agency)
    hook = make_hook(agency, "https://hooks.example.org/zhongyi", by=staff)
    return hook, {
        "citizen": make_user("citizen"),
        "moderator": make_user("moderator"),
        "reviewer": make_user("reviewer"),
        "other_staff": make_user("staff", agency=other),
        "staff": staff,
        "admin": make_user("admin"),
    }


def _client(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, people[1][role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_only_what_it_may(app, people, role):
    hook, _ = people
    client = _client(app, people, role)
    for route in GETS:
        status = client.get(route.replace("<id>", str(hook.id))).status_code
        if role == "anonymous":
            assert status in (302, 401), route
        elif role in ALLOWED:
            assert status == 200, route
        elif role == "other_staff" and route in ("/staff/webhooks", "/api/v1/webhooks"):
            assert status == 200, route  # their own agency's (none)
        else:
            assert status == 403, (route, role)
    if role == "other_staff":
        assert hook.url not in client.get("/staff/webhooks").get_data(as_text=True)
        assert client.get("/api/v1/webhooks").get_json() == {"webhooks": []}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_changes_only_what_it_may(app, people, role):
    hook, _ = people
    client = _client(app, people, role)
    token = csrf_from(client.get("/login" if role == "anonymous" else "/").get_data(as_text=True))
    secret = hook.secret
    for route in POSTS[1:]:
        status = client.post(
            route.replace("<id>", str(hook.id)), data={"active": "1", "csrf_token": token}
        ).status_code
        expected = {302} if role in ALLOWED else ({401, 302} if role == "anonymous" else {403})
        assert status in expected, (route, role, status)
    db.session.refresh(hook)
    assert (hook.secret != secret) == (role in ALLOWED)
    created = client.post(
        "/staff/webhooks",
        data={"url": "ftp://x", "events": ["ping"], "csrf_token": token, "agency": "MOA"},
    ).status_code
    if role in ("staff", "admin", "other_staff"):
        assert created == 400  # allowed to try; the address is refused
    elif role == "anonymous":
        assert created in (302, 401)
    else:
        assert created == 403
    assert db.session.query(Webhook).count() == 1


def test_every_webhook_route_is_in_the_matrix(app):
    found = {
        rule.rule.replace("<int:webhook_id>", "<id>")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("webhooks.", "webhooks_api."))
    }
    assert found == set(GETS) | set(POSTS)
