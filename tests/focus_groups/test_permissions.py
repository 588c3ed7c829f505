"""Every focus-group route × every role: the staff pages, the audit record and the draw API
admit the consultation's staff and admins only (401 without an account, 403 otherwise, so the
volunteers' attributes reach nobody else); volunteering needs an account; the explanation, the
volunteer page and the public summary are open to all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from app.extensions import db
from deliberation.focus_groups import invitations, operations, queries, sessions
from deliberation.models import utcnow
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_agency,
    make_consultation,
    make_user,
)

from .helpers import QUOTAS, fake_draw, pool

ROLES = ("anonymous", "citizen", "staff", "other_staff", "reviewer", "moderator", "admin")

STAFF_ROUTES = [
    ("GET", "/staff/consultations/{c}/focus-group", None),
    ("POST", "/staff/consultations/{c}/focus-group/settings", {"panel_size": "6", "retain_until": "2099-01-01"}),
    ("POST", "/staff/consultations/{c}/focus-group/quotas", {"quotas_csv": "category,feature,min,max\nage,18-39,2,4\nage,40+,2,4\ngender,女,3,3\ngender,男,3,3\n"}),
    ("POST", "/staff/consultations/{c}/focus-group/draw", {"seed": "42", "size": "6"}),
    ("POST", "/staff/consultations/{c}/focus-group/volunteers/{v}/withdraw", {}),
    ("GET", "/staff/consultations/{c}/focus-group/audit.json", None),
    ("JSON", "/api/v1/consultations/{c}/focus-group/draw", {"seed": 42, "size": 6}),
]  # fmt: skip
PUBLIC_ROUTES = [
    ("GET", "/focus-groups/lottery", None),
    ("GET", "/consultations/{c}/focus-group", None),
    ("GET", "/api/v1/consultations/{c}/focus-group", None),
]
ACCOUNT_ROUTES = [
    ("POST", "/consultations/{c}/focus-group", {"consent": "yes", "attr_0": "40+", "attr_1": "女", "notice_version": "2026-12-v1"}),
    ("POST", "/consultations/{c}/focus-group/withdraw", {}),
]  # fmt: skip
# After the draw: the panel's sessions (staff only), and staff inviting by signed link.
SESSION_ROUTES = [
    ("POST", "/staff/consultations/{c}/focus-group/invitations", {"addresses": "new@example.tw"}),
    ("POST", "/staff/consultations/{c}/focus-group/sessions", {"starts_at": "2099-01-01T14:00", "place": "國發會 3 樓", "facilitator": "王主持", "thread_id": "{t}"}),
    ("GET", "/staff/consultations/{c}/focus-group/sessions/{s}", None),
    ("POST", "/staff/consultations/{c}/focus-group/sessions/{s}/mail", {"kind": "invite"}),
    ("POST", "/staff/consultations/{c}/focus-group/sessions/{s}/attendance", {"present": "{a}"}),
    ("POST", "/staff/consultations/{c}/focus-group/sessions/{s}/notes", {"notes": "A：公車班次太少。"}),
]  # fmt: skip
# The signed link is the key: anyone holding it may use it, with or without an account.
LINK_ROUTES = [
    ("GET", "/focus-groups/invitation/{k}", None),
    ("POST", "/focus-groups/invitation/{k}", {"consent": "yes", "attr_0": "40+", "attr_1": "女", "notice_version": "2026-12-v1"}),
    ("POST", "/focus-groups/invitation/{k}/withdraw", {}),
]  # fmt: skip
ALL_ROUTES = STAFF_ROUTES + PUBLIC_ROUTES + ACCOUNT_ROUTES + SESSION_ROUTES + LINK_ROUTES


@pytest.fixture
def world(session):
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    consultation = make_consultation(staff=staff)
    group = operations.configure(
        db.session, consultation, actor=staff, panel_size=6,
        retain_until=utcnow() + timedelta(days=30),
    )  # fmt: skip
    operations.set_quotas(db.session, group, QUOTAS, actor=staff)
    operations.import_pool(db.session, group, pool(14), actor=staff)
    db.session.commit()
    users = {
        "citizen": make_user(),
        "staff": staff,
        "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
        "reviewer": make_user("reviewer"),
        "moderator": make_user("moderator"),
        "admin": make_user("admin"),
    }
    volunteer = operations.queries.volunteers(db.session, group)[0]
    [invitation] = invitations.invite(db.session, group, ["held@example.tw"], actor=staff)
    db.session.commit()
    token = invitations.make_token(current_app.config["SECRET_KEY"], invitation)
    return users, {"c": consultation.id, "v": volunteer.id, "k": token}


@pytest.fixture
def drawn_world(world):
    users, ids = world
    group = queries.group_of(db.session, ids["c"])
    fake_draw(db.session, group)
    thread = general_thread(group.consultation)
    fs = sessions.schedule(
        db.session, group, starts_at=utcnow() + timedelta(days=3), place="國發會",
        online_url="", facilitator="王主持", agenda="", thread_id=thread.id,
    )  # fmt: skip
    db.session.commit()
    return users, ids | {"t": thread.id, "s": fs.id, "a": fs.attendance[0].id}


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
    if method == "JSON":
        return client.post(path, json=body, headers={"X-CSRFToken": token})
    form = {k: v.format(**ids) if isinstance(v, str) else v for k, v in (body or {}).items()}
    return client.post(path, data={**form, "csrf_token": token})


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_staff_routes_admit_the_consultations_staff_and_admins_only(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    if role in ("staff", "admin"):
        assert response.status_code in (200, 201, 302, 404), response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == (401 if role == "anonymous" else 403)
        assert "18-39" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_public_routes_are_open_and_show_no_attributes(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    assert response.status_code == 200
    assert "p01" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ACCOUNT_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_volunteering_needs_an_account(client, world, role, route):
    users, ids = world
    response = _call(client, users, ids, role, route)
    if role == "anonymous":
        assert response.status_code == 401
    else:
        # Volunteering succeeds; withdrawing without having volunteered is a 404.
        assert response.status_code in (302, 404), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("route", SESSION_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_session_routes_admit_the_consultations_staff_and_admins_only(
    client, drawn_world, role, route
):
    users, ids = drawn_world
    response = _call(client, users, ids, role, route)
    if role in ("staff", "admin"):
        # Inviting by link after the draw is refused (409): the pool is closed.
        assert response.status_code in (200, 302, 409), response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == (401 if role == "anonymous" else 403)
        assert "國發會" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", LINK_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_the_signed_link_works_for_whoever_holds_it_and_shows_no_one_else(
    client, world, role, route
):
    users, ids = world
    response = _call(client, users, ids, role, route)
    # Volunteering redirects; withdrawing before volunteering finds nobody (404).
    assert response.status_code in (200, 302, 404), response.get_data(as_text=True)[:300]
    assert "p01" not in response.get_data(as_text=True)
    assert "held@example.tw" not in response.get_data(as_text=True)


def test_every_focus_group_route_is_in_the_matrix(app):
    listed = {
        t.replace("{c}", "<int:consultation_id>")
        .replace("{v}", "<int:volunteer_id>")
        .replace("{s}", "<int:session_id>")
        .replace("{k}", "<token>")
        for _, t, _ in ALL_ROUTES
    }
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith(("focus_groups.", "focus_groups_api."))
    }
    assert routes <= listed, routes - listed
