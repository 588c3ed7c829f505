"""The JSON API flow from a plan to a decision, and `flask plans create`."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from deliberation.models import Notification, Plan
from deliberation.services import accounts, reviews
from tests.factories import api_csrf, login, make_consultation


def _bearer(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_whole_loop_through_the_api(client, world):
    staff, reviewer = _bearer(world.lead), _bearer(world.reviewer)
    cid = world.consultation.id
    created = client.post(
        "/api/v1/plans",
        json={
            "title": "電動機車推廣第二期",
            "consultations": [cid],
            "co_agencies": ["EPA"],
            "period_start": "2026-01-01",
            "period_end": "2029-12-31",
            "budget": 50000,
            "indicators": [{"name": "充電站數", "target": "2029 年 5000 座"}],
        },
        headers=staff,
    )
    assert created.status_code == 201, created.get_json()
    plan = created.get_json()
    assert plan["lead_agency"] == "MOT" and plan["co_agencies"] == ["EPA"]
    assert plan["period_end"] == "2029-12-31" and plan["budget"] == 50000
    pid = plan["id"]

    patched = client.patch(
        f"/api/v1/plans/{pid}",
        json={"summary": "更新摘要", "changes": "新增**偏鄉**充電站"},
        headers=staff,
    )
    assert patched.status_code == 200
    assert patched.get_json()["summary"] == "更新摘要"
    assert "<strong>偏鄉</strong>" in patched.get_json()["changes_html"]
    assert patched.get_json()["indicators"] == [{"name": "充電站數", "target": "2029 年 5000 座"}]

    bad = client.put(
        f"/api/v1/consultations/{cid}/responses/T1", json={"disposition": "yes"}, headers=staff
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_disposition"
    for key, disposition in (("T1", "adopted"), ("T2", "under_study")):
        put = client.put(
            f"/api/v1/consultations/{cid}/responses/{key}",
            json={
                "disposition": disposition,
                "reasoning": f"{key} 的理由",
                "responsible_unit": "公路局",
                "due_date": "2030-06-30",
            },
            headers=staff,
        )
        assert put.status_code == 200 and put.get_json()["published_at"] is None
        pub = client.post(f"/api/v1/consultations/{cid}/responses/{key}/publish", headers=staff)
        assert pub.status_code == 200 and pub.get_json()["published_at"]
    assert pub.get_json()["due_date"] == "2030-06-30"

    checklist = client.get(f"/api/v1/plans/{pid}/checklist", headers=reviewer).get_json()
    assert checklist["ok"] is True
    assert [i["key"] for i in checklist["items"]][0] == "plan_summary"

    early = client.post(
        f"/api/v1/plans/{pid}/reviews", json={"decision": "accept"}, headers=reviewer
    )
    assert early.status_code == 409  # not submitted yet
    assert (
        client.patch(
            f"/api/v1/plans/{pid}", json={"status": "submitted"}, headers=staff
        ).get_json()["status"]
        == "submitted"
    )
    not_staff = client.post(
        f"/api/v1/plans/{pid}/reviews", json={"decision": "accept"}, headers=staff
    )
    assert not_staff.status_code == 403
    decided = client.post(
        f"/api/v1/plans/{pid}/reviews",
        json={"decision": "accept", "comments": "同意"},
        headers=reviewer,
    )
    assert decided.status_code == 201 and decided.get_json()["plan_status"] == "accepted"
    history = client.get(f"/api/v1/plans/{pid}/reviews", headers=staff).get_json()["items"]
    assert [h["decision"] for h in history] == ["accept"]
    assert len(history[0]["checklist"]) == len(reviews.CHECKLIST_KEYS)


def test_publishing_twice_notifies_again_once_each_time(client, world):
    staff = _bearer(world.lead)
    cid = world.consultation.id
    client.put(
        f"/api/v1/consultations/{cid}/responses/T2",
        json={"disposition": "not_adopted", "reasoning": "財源不足"},
        headers=staff,
    )
    first = client.post(f"/api/v1/consultations/{cid}/responses/T2/publish", headers=staff)
    assert first.get_json()["notified"] == 1
    client.post(f"/api/v1/consultations/{cid}/responses/T2/publish", headers=staff)
    bob = world.authors[1]
    count = db.session.query(Notification).filter_by(user_id=bob.id, kind="theme_response").count()
    assert count == 2


def test_session_api_calls_need_the_csrf_token(client, world):
    login(client, world.lead)
    r = client.post("/api/v1/plans", json={"title": "無 CSRF"})
    assert r.status_code == 400
    r = client.post("/api/v1/plans", json={"title": "有 CSRF"}, headers=api_csrf(client))
    assert r.status_code == 201


def test_citizens_cannot_create_plans_or_answer_themes(client, world):
    citizen = _bearer(world.citizen)
    assert (
        client.post("/api/v1/plans", json={"title": "市民計畫"}, headers=citizen).status_code == 403
    )
    r = client.put(
        f"/api/v1/consultations/{world.consultation.id}/responses/T1",
        json={"disposition": "adopted"},
        headers=citizen,
    )
    assert r.status_code == 403
    assert db.session.scalars(select(Plan).where(Plan.title == "市民計畫")).all() == []


def test_cli_plans_create_prints_the_new_plan_id(app, world):
    extra = make_consultation(staff=world.lead, status="open", title="第二場")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "plans",
            "create",
            "--title",
            "CLI 計畫",
            "--agency",
            "mot",
            "--consultation",
            str(world.consultation.id),
            "--consultation",
            str(extra.id),
        ]
    )
    assert result.exit_code == 0, result.output
    plan = db.session.get(Plan, int(result.output.strip()))
    assert plan.title == "CLI 計畫" and plan.lead_agency.code == "MOT"
    assert sorted(c.id for c in plan.consultations) == sorted([world.consultation.id, extra.id])


def test_cli_plans_create_refuses_an_unknown_agency(app, world):
    result = app.test_cli_runner().invoke(
        args=["plans", "create", "--title", "X", "--agency", "NOPE"]
    )
    assert result.exit_code != 0
    assert "NOPE" in result.output
    assert db.session.scalars(select(Plan).where(Plan.title == "X")).all() == []
