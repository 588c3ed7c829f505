"""Linking another agency's consultation to a plan needs that agency's consent (issue 17 item 1),
and the permission matrix of every plan and outcome route includes staff of another agency that
asked to link the consultation."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.models import PlanConsultation
from deliberation.plan_links.models import PlanLinkRequest
from deliberation.services import accounts, plans
from tests.factories import csrf_from, login
from tests.plans.helpers import respond

DRAFT_REASONING = "內部草擬中的回應"


_tokens: dict[tuple[int, int], dict[str, str]] = {}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    _tokens.clear()  # each test's users and tokens are rolled back with it


def _bearer(user) -> dict[str, str]:
    """One token per user and test (a new token revokes the previous one)."""
    key = (id(db.session()), user.id)
    if key not in _tokens:
        token = accounts.issue_token(db.session, user)
        db.session.commit()
        _tokens[key] = {"Authorization": f"Bearer {token}"}
    return _tokens[key]


def _text(response) -> str:
    """The body as text, JSON decoded (so escaped CJK is searchable)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


@pytest.fixture
def asked(client, world):
    """Staff of MOI create a plan 'linking' MOT's consultation, which has a draft response."""
    respond(world, "T1", reasoning=DRAFT_REASONING)  # a draft: MOT's work in progress
    created = client.post(
        "/api/v1/plans",
        json={"title": "內政部的計畫", "consultations": [world.consultation.id]},
        headers=_bearer(world.other),
    )
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_linking_another_agencys_consultation_only_asks_and_reveals_nothing(client, world, asked):
    assert asked["consultations"] == []
    assert [(r["consultation_id"], r["status"]) for r in asked["link_requests"]] == [
        (world.consultation.id, "pending")
    ]
    other = _bearer(world.other)
    listed = client.get(f"/api/v1/consultations/{world.consultation.id}/responses", headers=other)
    assert listed.status_code == 200
    assert DRAFT_REASONING not in _text(listed)
    section = client.get(f"/api/v1/plans/{asked['id']}/outcome", headers=other)
    assert section.status_code == 409  # the plan links no consultation yet
    assert "充電設施" not in _text(section)


def test_after_the_agency_accepts_the_plan_reads_the_consultation(client, world, asked):
    request_id = asked["link_requests"][0]["id"]
    other = _bearer(world.other)
    # The asking agency cannot answer its own request, nor can a third agency or a citizen.
    for who in (world.other, world.co, world.citizen, world.reviewer):
        refused = client.post(
            f"/api/v1/plan-link-requests/{request_id}/accept", headers=_bearer(who)
        )
        assert refused.status_code == 403, who.role
    assert client.post(f"/api/v1/plan-link-requests/{request_id}/accept").status_code == 401

    accepted = client.post(
        f"/api/v1/plan-link-requests/{request_id}/accept", headers=_bearer(world.lead)
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    plan = client.get(f"/api/v1/plans/{asked['id']}", headers=other).get_json()
    assert [c["id"] for c in plan["consultations"]] == [world.consultation.id]
    assert plan["link_requests"] == []
    section = client.get(f"/api/v1/plans/{asked['id']}/outcome", headers=other)
    assert section.status_code == 200 and "充電設施" in _text(section)
    again = client.post(
        f"/api/v1/plan-link-requests/{request_id}/decline", headers=_bearer(world.lead)
    )
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "link_request_decided"


def test_a_declined_request_links_nothing(client, world, asked):
    request_id = asked["link_requests"][0]["id"]
    declined = client.post(
        f"/api/v1/plan-link-requests/{request_id}/decline", headers=_bearer(world.lead)
    )
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert (
        db.session.scalars(
            select(PlanConsultation).where(PlanConsultation.plan_id == asked["id"])
        ).all()
        == []
    )
    listed = client.get(
        f"/api/v1/consultations/{world.consultation.id}/responses", headers=_bearer(world.other)
    )
    assert DRAFT_REASONING not in _text(listed)


def test_the_consultations_agency_answers_on_the_link_requests_page(client, world, asked):
    login(client, world.lead)
    page = client.get("/plan-link-requests")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "內政部的計畫" in html and "accept" in html
    request_id = asked["link_requests"][0]["id"]
    response = client.post(
        f"/plan-link-requests/{request_id}/accept", data={"csrf_token": csrf_from(html)}
    )
    assert response.status_code == 303
    row = db.session.get(PlanLinkRequest, request_id)
    db.session.refresh(row)
    assert row.status == "accepted" and row.decided_by_id == world.lead.id


def test_the_asking_agency_sees_the_request_on_its_plan_page(client, world, asked):
    login(client, world.other)
    html = client.get(f"/plans/{asked['id']}").get_data(as_text=True)
    assert "電動機車補助草案" in html and 'class="plan-list link-requests"' in html


def test_an_admin_links_any_consultation_at_once(client, world):
    created = client.post(
        "/api/v1/plans",
        json={"title": "跨機關計畫", "agency": "MOI", "consultations": [world.consultation.id]},
        headers=_bearer(world.admin),
    )
    assert created.status_code == 201
    assert [c["id"] for c in created.get_json()["consultations"]] == [world.consultation.id]


def test_adding_another_agencys_consultation_to_an_existing_plan_also_asks(client, world):
    plan = plans.create_plan(db.session, actor=world.other, title="內政部計畫二")
    db.session.commit()
    patched = client.patch(
        f"/api/v1/plans/{plan.id}",
        json={"consultations": [world.consultation.id]},
        headers=_bearer(world.other),
    )
    assert patched.status_code == 200
    assert patched.get_json()["consultations"] == []
    assert patched.get_json()["link_requests"][0]["status"] == "pending"


# ---- the matrix: every plan and outcome route, for staff of another agency that asked ---------

PLAN_ROUTES = [
    ("GET", "/plans/{plan}"),
    ("GET", "/plans/{plan}/edit"),
    ("POST", "/plans/{plan}/edit"),
    ("POST", "/plans/{plan}/notes"),
    ("POST", "/plans/{plan}/submit"),
    ("POST", "/plans/{plan}/reviews"),
    ("GET", "/api/v1/plans/{plan}"),
    ("PATCH", "/api/v1/plans/{plan}"),
    ("GET", "/api/v1/plans/{plan}/notes"),
    ("POST", "/api/v1/plans/{plan}/notes"),
    ("GET", "/api/v1/plans/{plan}/checklist"),
    ("GET", "/api/v1/plans/{plan}/reviews"),
    ("POST", "/api/v1/plans/{plan}/reviews"),
    ("GET", "/plans/{plan}/outcome"),
    ("GET", "/plans/{plan}/outcome.csv"),
    ("GET", "/plans/{plan}/outcome.json"),
    ("GET", "/plans/{plan}/outcome.docx"),
    ("GET", "/plans/{plan}/outcome.md"),
    ("GET", "/plans/{plan}/outcome.html"),
    ("GET", "/plans/{plan}/outcome/charts/participation.svg"),
    ("GET", "/api/v1/plans/{plan}/outcome"),
    ("GET", "/staff/consultations/{consultation}/responses"),
    ("POST", "/staff/consultations/{consultation}/responses/T1"),
    ("POST", "/staff/consultations/{consultation}/responses/publish"),
    ("POST", "/staff/consultations/{consultation}/responses/T1/done"),
    ("PUT", "/api/v1/consultations/{consultation}/responses/T1"),
    ("POST", "/api/v1/consultations/{consultation}/responses/T1/publish"),
    ("POST", "/api/v1/consultations/{consultation}/responses/T1/done"),
]


@pytest.mark.parametrize(("method", "path"), PLAN_ROUTES)
def test_staff_of_an_agency_that_asked_to_link_are_refused_on_the_owners_plan_and_work(
    client, world, asked, method, path
):
    """MOI asked to link MOT's consultation: until MOT accepts, MOI reaches none of MOT's plan,
    outcome or responses routes, and the public responses list carries no draft."""
    url = path.format(plan=world.plan.id, consultation=world.consultation.id)
    response = client.open(url, method=method, json={}, headers=_bearer(world.other))
    assert response.status_code in (403, 404), (url, response.status_code)
    assert DRAFT_REASONING not in _text(response)


OUTCOME_ROUTES = [
    "/plans/{plan}/outcome",
    "/plans/{plan}/outcome.csv",
    "/plans/{plan}/outcome.json",
    "/plans/{plan}/outcome.docx",
    "/plans/{plan}/outcome.md",
    "/plans/{plan}/outcome.html",
    "/plans/{plan}/outcome/charts/participation.svg",
    "/api/v1/plans/{plan}/outcome",
    "/api/v1/plans/{plan}/outcome?format=csv",
]


@pytest.mark.parametrize("path", OUTCOME_ROUTES)
def test_the_asking_plans_outcome_holds_nothing_of_the_other_agency_before_consent(
    client, world, asked, path
):
    response = client.get(path.format(plan=asked["id"]), headers=_bearer(world.other))
    assert response.status_code == 409  # plan_has_no_consultation: nothing is linked yet
    assert "充電設施" not in _text(response) and DRAFT_REASONING not in _text(response)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "reviewer", "co", "other"])
def test_only_the_consultations_agency_or_an_admin_answers_a_request(client, world, asked, who):
    """The link-request routes as each role: nobody but MOT (or an admin) accepts or declines."""
    request_id = asked["link_requests"][0]["id"]
    headers = {} if who == "anonymous" else _bearer(getattr(world, who))
    for decision in ("accept", "decline"):
        response = client.post(
            f"/api/v1/plan-link-requests/{request_id}/{decision}", headers=headers
        )
        assert response.status_code == (401 if who == "anonymous" else 403)
    seen = client.get(f"/api/v1/plan-link-requests/{request_id}", headers=headers)
    # The asking agency sees its own request; others outside it do not.
    assert seen.status_code == {"anonymous": 401, "other": 200}.get(who, 403)
    row = db.session.get(PlanLinkRequest, request_id)
    db.session.refresh(row)
    assert row.status == "pending"


def test_an_admin_may_answer_a_request(client, world, asked):
    request_id = asked["link_requests"][0]["id"]
    response = client.post(
        f"/api/v1/plan-link-requests/{request_id}/decline", headers=_bearer(world.admin)
    )
    assert response.status_code == 200 and response.get_json()["status"] == "declined"
