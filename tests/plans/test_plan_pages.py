"""Plan pages: who may create, read, edit and comment; bad input changes nothing."""

from __future__ import annotations

from app.extensions import db
from deliberation.models import Plan, PlanNote
from tests.factories import csrf_from, login, make_consultation

from .helpers import text_of


def test_lead_agency_staff_create_a_plan_from_the_form(client, world):
    login(client, world.lead)
    page = client.get("/plans/new")
    assert page.status_code == 200
    response = client.post(
        "/plans/new",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "title": "智慧運輸計畫",
            "summary": "摘要",
            "period_start": "2026-01-01",
            "period_end": "2029-12-31",
            "budget": "120,000",
            "consultations": [str(world.consultation.id)],
            "co_agencies": ["EPA"],
            "indicator_name": ["電動機車市占率", ""],
            "indicator_target": ["2029 年達 35%", ""],
        },
    )
    assert response.status_code == 303
    plan = db.session.get(Plan, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert plan.title == "智慧運輸計畫"
    assert plan.budget == 120000
    assert [c.id for c in plan.consultations] == [world.consultation.id]
    assert [a.code for a in plan.co_agencies] == ["EPA"]
    assert [(i.name, i.target) for i in plan.indicators] == [("電動機車市占率", "2029 年達 35%")]
    detail = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "電動機車市占率" in detail and "環境部" in detail


def test_another_agencys_staff_cannot_edit_and_nothing_changes(client, world):
    login(client, world.other)
    assert client.get(f"/plans/{world.plan.id}/edit").status_code == 403
    token = csrf_from(client.get("/plans").get_data(as_text=True))
    response = client.post(
        f"/plans/{world.plan.id}/edit", data={"csrf_token": token, "title": "被改掉的標題"}
    )
    assert response.status_code == 403
    api = client.patch(
        f"/api/v1/plans/{world.plan.id}",
        json={"title": "被改掉的標題"},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 403
    assert api.get_json()["error"]["code"] == "plan_forbidden"
    db.session.expire_all()
    assert db.session.get(Plan, world.plan.id).title == "電動機車推廣計畫"


def test_co_agency_staff_can_read_and_add_a_note_but_not_edit(client, world):
    login(client, world.co)
    page = client.get(f"/plans/{world.plan.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "電動機車推廣計畫" in html
    assert f"/plans/{world.plan.id}/edit" not in html
    response = client.post(
        f"/plans/{world.plan.id}/notes",
        data={"csrf_token": csrf_from(html), "body": "本部可協助充電站環評"},
    )
    assert response.status_code == 303
    assert "本部可協助充電站環評" in client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    edit = client.post(
        f"/plans/{world.plan.id}/edit", data={"csrf_token": csrf_from(html), "title": "協辦改標題"}
    )
    assert edit.status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, world.plan.id).title == "電動機車推廣計畫"


def test_citizens_and_visitors_see_no_plan(client, world):
    assert client.get(f"/plans/{world.plan.id}").status_code == 401
    assert client.get(f"/api/v1/plans/{world.plan.id}").status_code == 401
    login(client, world.citizen)
    assert client.get(f"/plans/{world.plan.id}").status_code == 403
    assert "電動機車推廣計畫" not in client.get("/plans").get_data(as_text=True)
    assert client.get("/api/v1/plans").get_json() == {"items": [], "next_cursor": None}


def test_plan_list_shows_staff_their_agencies_plans_and_reviewers_only_submitted_ones(
    client, world
):
    login(client, world.co)
    assert "電動機車推廣計畫" in client.get("/plans").get_data(as_text=True)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    login(client, world.other)
    assert "電動機車推廣計畫" not in client.get("/plans").get_data(as_text=True)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    login(client, world.reviewer)
    assert "電動機車推廣計畫" not in client.get("/plans").get_data(as_text=True)
    world.plan.status = "submitted"
    db.session.commit()
    assert "電動機車推廣計畫" in client.get("/plans").get_data(as_text=True)


def test_a_bad_field_shows_the_error_and_saves_nothing(client, world):
    login(client, world.lead)
    page = client.get(f"/plans/{world.plan.id}/edit")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        f"/plans/{world.plan.id}/edit?lang=en",
        data={
            "csrf_token": token,
            "title": "新標題",
            "period_start": "2027-01-01",
            "period_end": "2026-01-01",
            "indicator_name": ["新指標"],
            "indicator_target": ["100%"],
        },
    )
    assert response.status_code == 400
    assert "The end of the period must not be before its start." in response.get_data(as_text=True)
    db.session.expire_all()
    plan = db.session.get(Plan, world.plan.id)
    assert plan.title == "電動機車推廣計畫" and plan.indicators == []
    assert plan.period_start.year == 2026 and plan.period_end.year == 2029  # unchanged


def test_an_unknown_consultation_or_agency_is_refused(client, world):
    login(client, world.lead)
    headers = {"X-CSRFToken": csrf_from(client.get("/plans").get_data(as_text=True))}
    r1 = client.patch(
        f"/api/v1/plans/{world.plan.id}", json={"consultations": [999999]}, headers=headers
    )
    assert r1.status_code == 400 and r1.get_json()["error"]["code"] == "unknown_consultation"
    r2 = client.patch(
        f"/api/v1/plans/{world.plan.id}", json={"co_agencies": ["NOPE"]}, headers=headers
    )
    assert r2.status_code == 400 and r2.get_json()["error"]["code"] == "unknown_agency"
    # another agency's draft consultation is as good as absent
    other_draft = make_consultation(staff=world.other, status="draft")
    r3 = client.patch(
        f"/api/v1/plans/{world.plan.id}", json={"consultations": [other_draft.id]}, headers=headers
    )
    assert r3.status_code == 400
    db.session.expire_all()
    plan = db.session.get(Plan, world.plan.id)
    assert [c.id for c in plan.consultations] == [world.consultation.id]
    assert [a.code for a in plan.co_agencies] == ["EPA"]


def test_a_submitted_plan_is_frozen_for_its_agency(client, world):
    login(client, world.lead)
    token = csrf_from(client.get(f"/plans/{world.plan.id}").get_data(as_text=True))
    assert (
        client.post(
            f"/plans/{world.plan.id}/submit", data={"csrf_token": token, "confirm": "yes"}
        ).status_code
        == 303
    )
    r = client.patch(
        f"/api/v1/plans/{world.plan.id}",
        json={"title": "送審後修改"},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "plan_locked"
    # notes are still welcome
    assert (
        client.post(
            f"/plans/{world.plan.id}/notes", data={"csrf_token": token, "body": "補充說明"}
        ).status_code
        == 303
    )
    assert db.session.query(PlanNote).filter_by(plan_id=world.plan.id).count() == 1


def test_an_admin_creates_a_plan_for_any_agency(client, world):
    login(client, world.admin)
    page = client.get("/plans/new")
    assert 'name="agency"' in page.get_data(as_text=True)
    response = client.post(
        "/plans/new",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "title": "內政部計畫",
            "agency": "MOI",
        },
    )
    assert response.status_code == 303
    plan = db.session.get(Plan, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert plan.lead_agency.code == "MOI"


def test_staff_see_overdue_drafts_on_the_consultation_page_and_the_public_does_not(client, world):
    from datetime import timedelta

    from deliberation.models import ThemeResponse, utcnow

    db.session.add(
        ThemeResponse(
            consultation_id=world.consultation.id,
            theme_key="T2",
            disposition="under_study",
            reasoning="研議中",
            due_date=utcnow() - timedelta(days=3),
        )
    )
    db.session.commit()
    login(client, world.lead)
    html = client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(as_text=True)
    assert "1 response(s) overdue" in html
    assert f"/staff/consultations/{world.consultation.id}/responses" in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    public = client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(as_text=True)
    assert "overdue" not in public.lower() and "/responses" not in public


def test_sending_a_plan_for_review_asks_for_confirmation_first(client, world):
    login(client, world.lead)
    html = client.get(f"/plans/{world.plan.id}", headers={"Accept-Language": "zh-TW"}).get_data(
        as_text=True
    )
    step = html[html.index('<details class="confirm-step" id="send-for-review"') :]
    step = step[: step.index("</details>")]
    assert "送交審議…" in step and "確定送交審議" in step and 'name="confirm" value="yes"' in step
    token = csrf_from(html)
    r = client.post(f"/plans/{world.plan.id}/submit", data={"csrf_token": token})
    assert r.status_code == 303 and "confirm=1" in r.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Plan, world.plan.id).status == "draft"  # nothing sent yet
    again = client.get(r.headers["Location"]).get_data(as_text=True)
    assert '<details class="confirm-step" id="send-for-review" open>' in again
    client.post(f"/plans/{world.plan.id}/submit", data={"csrf_token": token, "confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Plan, world.plan.id).status == "submitted"
