"""Every moderation route × every role: moderators and admins get in, everyone else is refused
(401 without an account, 403 with the wrong one). Special cases: the log export (staff too) and
a consultation's settings (its agency's staff too)."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.models import User
from deliberation.services import moderation
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

ROLES = ("anonymous", "citizen", "staff", "reviewer", "moderator", "admin")
MODERATORS = {"moderator", "admin"}

# (method, path template, JSON/form body, api?)
MODERATOR_ROUTES = [
    ("GET", "/moderation/", None, False),
    ("GET", "/moderation/?status=appeals", None, False),
    ("POST", "/moderation/bulk", {"action": "approve", "ids": "{comment}"}, False),
    ("GET", "/moderation/comments/{comment}", None, False),
    ("POST", "/moderation/comments/{comment}/action", {"action": "pin"}, False),
    ("POST", "/moderation/threads/{thread}/action", {"action": "lock"}, False),
    ("GET", "/moderation/users/{author}", None, False),
    (
        "POST",
        "/moderation/users/{author}/sanctions",
        {"kind": "mute", "days": "1", "reason": "spam"},
        False,
    ),
    ("POST", "/moderation/sanctions/{sanction}/lift", {}, False),
    ("POST", "/moderation/appeals/{appeal}/decide", {"decision": "reject"}, False),
    ("GET", "/moderation/log", None, False),
    ("GET", "/moderation/settings", None, False),
    ("POST", "/moderation/settings", {"flag_threshold": "4"}, False),
    ("GET", "/api/v1/moderation/queue", None, True),
    ("GET", "/api/v1/moderation/log", None, True),
    ("POST", "/api/v1/moderation/comments/{comment}/actions", {"action": "pin"}, True),
    ("POST", "/api/v1/moderation/threads/{thread}/actions", {"action": "lock"}, True),
    (
        "POST",
        "/api/v1/moderation/users/{author}/sanctions",
        {"kind": "mute", "days": 1, "reason": "spam"},
        True,
    ),
    ("POST", "/api/v1/moderation/sanctions/{sanction}/lift", {}, True),
    ("POST", "/api/v1/moderation/appeals/{appeal}/decision", {"decision": "reject"}, True),
]
EXPORT = ("GET", "/moderation/log.csv", None, False)
CONSULTATION_SETTINGS = [
    ("GET", "/moderation/consultations/{consultation}/settings", None, False),
    ("POST", "/moderation/consultations/{consultation}/settings", {"premoderation": "on"}, False),
]


@pytest.fixture(scope="module")
def world(module_scene):  # type: ignore[no-untyped-def]
    """The people and things every route needs, made once for the module (each test's own
    changes are rolled back): user ids by role, and the ids the paths are filled with."""
    with module_scene():
        agency = make_agency()
        staff = make_user("staff", agency=agency)
        consultation = make_consultation(staff=staff)
        thread = general_thread(consultation)
        author = make_user()
        comment = make_comment(thread, author, body="一則普通的留言")
        hidden = make_comment(thread, author, body="會被隱藏的留言")
        moderator = make_user("moderator")
        moderation.act_on_comment(
            db.session, hidden.id, actor=moderator, action="hide", reason="spam"
        )
        appeal = moderation.submit_appeal(
            db.session, actor=author, body="請再看一次", comment_id=hidden.id
        )
        sanction = moderation.sanction_user(
            db.session, author.id, actor=moderator, kind="mute", reason="spam", days=2
        )
        save()
        users = {
            "citizen": make_user(),
            "staff": staff,
            "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
            "reviewer": make_user("reviewer"),
            "moderator": moderator,
            "admin": make_user("admin"),
        }
        ids = {
            "comment": comment.id,
            "thread": thread.id,
            "author": author.id,
            "sanction": sanction.id,
            "appeal": appeal.id,
            "consultation": consultation.id,
        }
        return {role: user.id for role, user in users.items()}, ids


def _call(client, users, ids, role, route):
    method, template, body, api = route
    path = template.format(**ids)
    if role != "anonymous":
        login(client, db.session.get(User, users[role]))
    page = "/login" if role == "anonymous" else "/help"
    token = csrf_from(client.get(page).get_data(as_text=True))
    if method == "GET":
        return client.get(path)
    if api:
        return client.post(path, json=body, headers={"X-CSRFToken": token})
    data = {k: v.format(**ids) for k, v in (body or {}).items()}
    return client.post(path, data={**data, "csrf_token": token})


def _expect(response, allowed: bool, role: str) -> None:
    if allowed:
        assert response.status_code not in (401, 403), response.get_data(as_text=True)[:300]
        assert response.status_code < 500
    else:
        assert response.status_code == (401 if role == "anonymous" else 403), (
            response.status_code,
            response.get_data(as_text=True)[:300],
        )


@pytest.mark.parametrize("route", MODERATOR_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_moderation_routes_admit_moderators_and_admins_only(client, world, role, route):
    users, ids = world
    _expect(_call(client, users, ids, role, route), role in MODERATORS, role)


@pytest.mark.parametrize("role", ROLES)
def test_the_log_export_admits_moderators_admins_and_staff(client, world, role):
    users, ids = world
    _expect(_call(client, users, ids, role, EXPORT), role in MODERATORS | {"staff"}, role)


@pytest.mark.parametrize("route", CONSULTATION_SETTINGS, ids=lambda r: r[0])
@pytest.mark.parametrize("role", (*ROLES, "other_staff"))
def test_consultation_settings_admit_its_agency_staff_and_moderators(client, world, role, route):
    users, ids = world
    _expect(_call(client, users, ids, role, route), role in MODERATORS | {"staff"}, role)


def test_the_matrix_covers_every_moderation_route(app):
    covered = {r[1].split("?")[0] for r in [*MODERATOR_ROUTES, EXPORT, *CONSULTATION_SETTINGS]}
    covered = {p.replace("{", "<").replace("}", ">") for p in covered}
    public = {"/rules", "/consultations/<consultation_id>/transparency"}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("moderation") or rule.endpoint.endswith("static"):
            continue
        path = rule.rule.replace("<int:", "<")
        if not path.startswith(("/moderation", "/api/v1/moderation")):
            continue  # flags, appeals, notices: any logged-in user (tested elsewhere)
        normalised = (
            path.replace("<comment_id>", "<comment>")
            .replace("<thread_id>", "<thread>")
            .replace("<user_id>", "<author>")
            .replace("<sanction_id>", "<sanction>")
            .replace("<appeal_id>", "<appeal>")
            .replace("<consultation_id>", "<consultation>")
        )
        assert normalised in covered or path in public, f"{path} is not in the role matrix"
