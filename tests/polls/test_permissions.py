"""Every poll route × every role: building the poll and entering margins are for the
consultation's staff and admins (401 without an account, 403 otherwise); answering needs a
verified account; the poll itself is public; results are for staff until the consultation
closes, then for everyone."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.factories import csrf_from, login, make_agency, make_consultation, make_user

from .helpers import MARGINS_CSV, make_poll

ROLES = ("anonymous", "citizen", "staff", "other_staff", "reviewer", "moderator", "admin")

STAFF_ROUTES = [
    ("GET", "/staff/consultations/{c}/poll", None),
    ("POST", "/staff/consultations/{c}/poll", {"title": "Quick poll", "q1_prompt": "Yes?", "q1_kind": "scale"}),
    ("POST", "/staff/consultations/{c}/poll/margins", {"margins_csv": MARGINS_CSV}),
]  # fmt: skip
PUBLIC_ROUTES = [
    ("GET", "/consultations/{c}/poll", None),
    ("GET", "/api/v1/consultations/{c}/poll", None),
]
ACCOUNT_ROUTES = [
    ("POST", "/consultations/{c}/poll", {"q_{q}": "0"}),
    ("PUT", "/api/v1/consultations/{c}/poll/response", {"answers": {"{q}": 0}}),
]
RESULT_ROUTES = [
    ("GET", "/consultations/{c}/poll/results", None),
    ("GET", "/api/v1/consultations/{c}/poll/results", None),
]
ALL_ROUTES = STAFF_ROUTES + PUBLIC_ROUTES + ACCOUNT_ROUTES + RESULT_ROUTES


@pytest.fixture
def world(session):
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    consultation = make_consultation(staff=staff)
    poll = make_poll(consultation, staff)
    users = {
        "citizen": make_user(),
        "staff": staff,
        "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
        "reviewer": make_user("reviewer"),
        "moderator": make_user("moderator"),
        "admin": make_user("admin"),
    }
    return users, {"c": consultation.id, "q": poll.questions[0].id}, consultation


def _fill(value, ids):
    if isinstance(value, dict):
        return {_fill(k, ids): _fill(v, ids) for k, v in value.items()}
    return value.format(**ids) if isinstance(value, str) else value


def _call(client, users, ids, role, route):
    method, template, body = route
    path = template.format(**ids)
    body = _fill(body, ids)
    if role != "anonymous":
        login(client, users[role])
    token = csrf_from(
        client.get("/login" if role == "anonymous" else "/help").get_data(as_text=True)
    )
    if method == "GET":
        return client.get(path)
    if method == "PUT":
        return client.put(path, json=body, headers={"X-CSRFToken": token})
    return client.post(path, data={**(body or {}), "csrf_token": token})


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_staff_routes_admit_the_consultations_staff_and_admins_only(client, world, role, route):
    users, ids, _ = world
    response = _call(client, users, ids, role, route)
    if role in ("staff", "admin"):
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == (401 if role == "anonymous" else 403)


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_the_poll_is_open_to_everyone(client, world, role, route):
    users, ids, _ = world
    assert _call(client, users, ids, role, route).status_code == 200


@pytest.mark.parametrize("route", ACCOUNT_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_answering_needs_an_account(client, world, role, route):
    users, ids, _ = world
    response = _call(client, users, ids, role, route)
    if role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code in (201, 302), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("route", RESULT_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_results_are_for_staff_until_the_close(client, world, role, route):
    users, ids, _ = world
    response = _call(client, users, ids, role, route)
    assert response.status_code == (200 if role in ("staff", "admin") else 403)


@pytest.mark.parametrize("route", RESULT_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_results_are_public_after_the_close(client, world, role, route):
    users, ids, consultation = world
    consultation.status = "closed"
    db.session.commit()
    assert _call(client, users, ids, role, route).status_code == 200


def test_every_poll_route_is_in_the_matrix(app):
    listed = {t.replace("{c}", "<int:consultation_id>") for _, t, _ in ALL_ROUTES}
    routes = {
        r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith(("polls.", "polls_api."))
    }
    assert routes <= listed, routes - listed
