"""Every role (anonymous included) may search and finds the public text. A draft consultation
(its title, its sections) is found only by the staff of its own agency and by admins, the same
rule as the consultations list and the consultation page (hidden comments: test_search.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.models import Consultation, User
from deliberation.rules import can_view_consultation
from deliberation.search import queries
from deliberation.services.consultations import list_consultations, set_search_tokens
from tests.factories import login, make_agency, make_consultation, make_user

ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")
ROUTES = ["/search?q=草案稀有詞", "/api/v1/search?q=草案稀有詞"]


@pytest.fixture(scope="module")
def world(module_scene):  # type: ignore[no-untyped-def]
    with module_scene():
        agency = make_agency()
        staff = make_user("staff", agency=agency)
        make_consultation(staff=staff, title="公開的草案稀有詞")
        draft = make_consultation(staff=staff, status="draft", title="未公開的草案稀有詞")
        draft.sections[0].title = "草案稀有詞第一條"
        set_search_tokens(db.session, draft)
        db.session.commit()
        users = {
            "citizen": make_user(),
            "moderator": make_user("moderator"),
            "staff": staff,
            "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
            "reviewer": make_user("reviewer"),
            "admin": make_user("admin"),
        }
        return {role: user.id for role, user in users.items()}


SEES_DRAFTS = {"staff", "admin"}  # the owning agency's staff, and admins


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_search_and_only_the_owning_staff_and_admins_find_a_draft(
    client, world, role, path
):
    if role != "anonymous":
        login(client, db.session.get(User, world[role]))
    response = client.get(path)
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))  # highlighting marks
    if path.startswith("/api/"):
        data = response.get_json()
        text = " ".join(
            [c["title"] for c in data["consultations"]] + [s["title"] for s in data["sections"]]
        )
    assert "公開的草案稀有詞" in text
    if role in SEES_DRAFTS:
        assert "未公開的草案稀有詞" in text and "草案稀有詞第一條" in text
    else:
        assert "未公開的" not in text and "草案稀有詞第一條" not in text


def test_the_matrix_covers_every_search_route(app):
    covered = {p.split("?")[0] for p in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("search"):
            assert rule.rule in covered, f"{rule.rule} is not in the role matrix"


@pytest.mark.parametrize("role", ROLES)
def test_one_rule_decides_a_draft_for_the_page_the_list_and_search(session, world, role):
    viewer = None if role == "anonymous" else db.session.get(User, world[role])
    [draft] = [c for c in db.session.scalars(select(Consultation)) if c.status == "draft"]
    listed = draft.id in [c.id for c in list_consultations(db.session, viewer)]
    found = draft.id in [
        c.id for c in queries.search(db.session, "草案稀有詞", viewer=viewer).consultations
    ]
    assert can_view_consultation(viewer, draft) == listed == found == (role in SEES_DRAFTS)
