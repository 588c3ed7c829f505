"""Search is public: every role (anonymous included) gets the same public results; a draft's
text is found by nobody, not even its agency's staff (search lists public text only)."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.models import User
from tests.factories import login, make_agency, make_consultation, make_user

ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")
ROUTES = ["/search?q=草案稀有詞", "/api/v1/search?q=草案稀有詞"]


@pytest.fixture(scope="module")
def world(module_scene):  # type: ignore[no-untyped-def]
    with module_scene():
        agency = make_agency()
        staff = make_user("staff", agency=agency)
        make_consultation(staff=staff, title="公開的草案稀有詞")
        make_consultation(staff=staff, status="draft", title="未公開的草案稀有詞")
        users = {
            "citizen": make_user(),
            "moderator": make_user("moderator"),
            "staff": staff,
            "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
            "reviewer": make_user("reviewer"),
            "admin": make_user("admin"),
        }
        return {role: user.id for role, user in users.items()}


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_search_and_finds_public_text_only(client, world, role, path):
    if role != "anonymous":
        login(client, db.session.get(User, world[role]))
    response = client.get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if path.startswith("/api/"):
        text = " ".join(c["title"] for c in response.get_json()["consultations"])
    assert "公開的" in text and "未公開的" not in text


def test_the_matrix_covers_every_search_route(app):
    covered = {p.split("?")[0] for p in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("search"):
            assert rule.rule in covered, f"{rule.rule} is not in the role matrix"
