"""Every notifications and follow route × every role. Anonymous: 401. Any logged-in person may
read and mark their own notifications and follow what they can see; someone else's
notification does not exist for them (404); a comment can be followed by its author only (403);
a draft by its agency's staff and admins only (404 for the others)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.notifications.mail import unsubscribe_token
from deliberation.models import User
from deliberation.notifications import operations
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
    save,
)

ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")
LOGGED_IN = set(ROLES) - {"anonymous"}

# (method, path, form/JSON body, api?) — allowed for everyone logged in
EVERYONE = [
    ("GET", "/notifications", None, False),
    ("POST", "/notifications/read-all", {}, False),
    ("POST", "/follows", {"target_type": "consultation", "target_id": "{consultation}"}, False),
    ("GET", "/api/v1/notifications", None, True),
    ("GET", "/api/v1/notifications/unread-count", None, True),
    ("POST", "/api/v1/notifications/read-all", {}, True),
    ("GET", "/api/v1/follows/consultation/{consultation}", None, True),
    ("PUT", "/api/v1/follows/consultation/{consultation}", None, True),
    ("DELETE", "/api/v1/follows/consultation/{consultation}", None, True),
    ("PUT", "/api/v1/follows/thread/{thread}", None, True),
    ("PUT", "/api/v1/follows/agency/{agency}", None, True),
    ("GET", "/notifications/settings", None, False),
    ("POST", "/notifications/settings", {"replies": "weekly"}, False),
    ("GET", "/api/v1/notifications/settings", None, True),
    ("PUT", "/api/v1/notifications/settings", {"answers": "never"}, True),
]
# a signed link: anyone holding it, logged in or not (the token is the permission)
UNSUBSCRIBE = [
    ("GET", "/notifications/unsubscribe/{token}", None, False),
    ("POST", "/notifications/unsubscribe/{token}", {}, False),
]
# the citizen's own notification: the owner only; everyone else gets 404
OWNER_ONLY = [
    ("GET", "/notifications/{notification}", None, False),
    ("POST", "/notifications/{notification}/read", {}, False),
    ("POST", "/api/v1/notifications/{notification}/read", {}, True),
]
OWN_COMMENT = ("PUT", "/api/v1/follows/comment/{comment}", None, True)  # the citizen's comment
DRAFT = ("PUT", "/api/v1/follows/consultation/{draft}", None, True)  # the staff's agency's draft


@pytest.fixture(scope="module")
def world(module_scene, app):  # type: ignore[no-untyped-def]
    client_app_context = app.app_context
    with module_scene():
        agency = make_agency()
        staff = make_user("staff", agency=agency)
        consultation = make_consultation(staff=staff)
        draft = make_consultation(staff=staff, status="draft")
        thread = general_thread(consultation)
        citizen = make_user()
        comment = make_comment(thread, citizen)
        note = operations.notify(db.session, citizen.id, "comment_hidden", comment_id=comment.id)
        save()
        users = {
            "citizen": citizen,
            "moderator": make_user("moderator"),
            "staff": staff,
            "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
            "reviewer": make_user("reviewer"),
            "admin": make_user("admin"),
        }
        ids = {
            "consultation": consultation.id,
            "draft": draft.id,
            "thread": thread.id,
            "comment": comment.id,
            "agency": agency.id,
            "notification": note.id,
        }
        with client_app_context():
            ids["token"] = unsubscribe_token(citizen.id, ["replies"])
        return {role: user.id for role, user in users.items()}, ids


def _call(client, users, ids, role, route):
    method, template, body, api = route
    path = template.format(**ids)
    if role != "anonymous":
        login(client, db.session.get(User, users[role]))
    token = csrf_from(
        client.get("/login" if role == "anonymous" else "/help").get_data(as_text=True)
    )
    if method == "GET":
        return client.get(path)
    if api:
        return client.open(path, method=method, json=body, headers={"X-CSRFToken": token})
    data = {k: v.format(**ids) for k, v in (body or {}).items()}
    return client.open(path, method=method, data={**data, "csrf_token": token})


def _expect(response, role: str, allowed: bool, refused: int) -> None:
    text = response.get_data(as_text=True)[:300]
    if role == "anonymous":
        assert response.status_code == 401, (response.status_code, text)
    elif allowed:
        assert response.status_code < 400, (response.status_code, text)
    else:
        assert response.status_code == refused, (response.status_code, text)


@pytest.mark.parametrize("route", EVERYONE, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_everyone_logged_in_may_use_their_notifications_and_follow(client, world, role, route):
    users, ids = world
    _expect(_call(client, users, ids, role, route), role, role in LOGGED_IN, 0)


@pytest.mark.parametrize("route", OWNER_ONLY, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_a_notification_exists_only_for_its_owner(client, world, role, route):
    users, ids = world
    _expect(_call(client, users, ids, role, route), role, role == "citizen", 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_its_author_follows_a_comment(client, world, role):
    users, ids = world
    _expect(_call(client, users, ids, role, OWN_COMMENT), role, role == "citizen", 403)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_followed_only_by_those_who_can_see_it(client, world, role):
    users, ids = world
    _expect(_call(client, users, ids, role, DRAFT), role, role in {"staff", "admin"}, 404)


@pytest.mark.parametrize("route", UNSUBSCRIBE, ids=lambda r: r[0])
@pytest.mark.parametrize("role", ROLES)
def test_an_unsubscribe_link_works_for_whoever_holds_it(client, world, role, route):
    users, ids = world
    method, template, _body, _api = route
    if role != "anonymous":
        login(client, db.session.get(User, users[role]))
    path = template.format(**ids)
    response = client.get(path) if method == "GET" else client.post(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    forged = client.get(path[:-4] + "xxxx") if method == "GET" else client.post(path[:-4] + "xx")
    assert forged.status_code == 404


def test_the_matrix_covers_every_notifications_route(app):
    covered = {r[1] for r in [*EVERYONE, *OWNER_ONLY, OWN_COMMENT, DRAFT, *UNSUBSCRIBE]}
    covered = {p.replace("{", "<").replace("}", ">") for p in covered}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("notifications"):
            continue
        path = rule.rule.replace("<int:", "<").replace("<notification_id>", "<notification>")
        path = path.replace("<target_type>/<target_id>", "")
        assert any(c.startswith(path) for c in covered), f"{rule.rule} is not in the role matrix"
