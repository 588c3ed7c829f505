"""Who may read what: every open-data route as each role. Datasets are public reads for closed,
concluded and (on request) open consultations; a draft's dataset does not exist for anyone."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.factories import login, make_consultation, make_user

ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")
ROUTES = (
    "/open-data/<consultation>",
    "/open-data/<consultation>/download",
    "/api/v1/open-data/<consultation>",
)
LISTS = ("/open-data", "/api/v1/open-data")


def as_role(app, scene, role: str):
    client = app.test_client()
    people = {
        "citizen": scene.people[0],
        "moderator": make_user("moderator"),
        "staff": scene.staff,
        "other_staff": scene.other_staff,
        "reviewer": make_user("reviewer"),
        "admin": make_user("admin"),
    }
    if role != "anonymous":
        login(client, people[role])
    return client


def get(client, path: str):
    response = client.get(path)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_closed_consultations_dataset_and_nobody_a_drafts(app, scene, role):
    draft = make_consultation(staff=scene.staff, status="draft", title="尚未公開之草稿")
    opened = make_consultation(staff=scene.staff, status="open", title="進行中之諮詢")
    client = as_role(app, scene, role)
    for route in ROUTES:
        for consultation, status in ((scene.consultation, 200), (opened, 200), (draft, 404)):
            path = route.replace("<consultation>", str(consultation.id))
            assert get(client, path).status_code == status, (role, path)
        assert get(client, route.replace("<consultation>", "99999")).status_code == 404
    for path in LISTS:
        response = client.get(path)
        assert response.status_code == 200
        text = (
            str([d["title"] for d in response.get_json()["datasets"]])
            if path.startswith("/api")
            else response.get_data(as_text=True)
        )
        assert "尚未公開之草稿" not in text and "數位治理草案諮詢" in text


def test_a_draft_is_a_404_with_the_usual_error_body(client, scene):
    draft = make_consultation(staff=scene.staff, status="draft")
    response = client.get(f"/api/v1/open-data/{draft.id}")
    assert response.status_code == 404
    assert "consultation_not_found" in response.get_data(as_text=True)


def test_every_open_data_route_is_in_the_matrix(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("opendata.", "opendata_api.")):
            found.add(rule.rule.replace("<int:consultation_id>", "<consultation>"))
    assert found == set(ROUTES) | set(LISTS)


def test_an_open_consultation_is_built_on_request_and_marked_provisional(client, scene):
    opened = make_consultation(staff=scene.staff, status="open", title="進行中之諮詢")
    listed = client.get("/api/v1/open-data").get_json()["datasets"]
    entry = next(d for d in listed if d["consultation_id"] == opened.id)
    assert entry["built"] is False and entry["final"] is False
    page = client.get(f"/open-data/{opened.id}").get_data(as_text=True)
    assert "provisional" in page or "暫時" in page
    db.session.expire_all()
    listed = client.get("/api/v1/open-data").get_json()["datasets"]
    entry = next(d for d in listed if d["consultation_id"] == opened.id)
    assert entry["built"] is True and entry["score"] > 0


def test_a_server_that_cannot_write_answers_503_with_words_not_500(client, scene, app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app.config["OPEN_DATA_DIR"] = str(blocker / "open-data")
    for path in (
        f"/open-data/{scene.consultation.id}",
        f"/api/v1/open-data/{scene.consultation.id}",
    ):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert "cannot be prepared" in response.get_data(as_text=True)
