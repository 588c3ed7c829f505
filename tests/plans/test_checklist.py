"""The reviewer's checklist, item by item both ways, and decisions with their history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from deliberation.errors import Conflict, Forbidden, ValidationError
from deliberation.models import AnalysisRun, PlanReview, utcnow
from deliberation.services import plans, reviews
from tests.factories import csrf_from, login, make_consultation

from .helpers import make_run, respond, save, set_status


def _items(world) -> dict[str, dict]:
    db.session.expire_all()
    return {i["key"]: i for i in reviews.checklist(db.session, world.plan)}


def _answer_all(world) -> None:
    respond(world, "T1", published=True)
    respond(world, "T2", published=True)


def test_a_complete_plan_passes_every_item(world):
    _answer_all(world)
    items = _items(world)
    assert list(items) == list(reviews.CHECKLIST_KEYS)
    assert all(i["ok"] for i in items.values()), items


def test_a_plan_without_consultations_fails_every_item_with_a_link_to_edit(world):
    plans.update_plan(db.session, world.plan, actor=world.lead, consultation_ids=[])
    save()
    items = _items(world)
    about_consultations = [i for k, i in items.items() if not k.startswith("plan_")]
    assert not any(i["ok"] or i["passed"] for i in about_consultations)
    assert {i["reason"] for i in about_consultations} == {"no_consultations"}
    assert items["participation"]["link_hint"] == {"kind": "plan_edit", "id": world.plan.id}


def test_consultations_closed_fails_while_one_is_open(world):
    _answer_all(world)
    world.consultation.status = "open"
    save()
    item = _items(world)["consultations_closed"]
    assert not item["ok"] and item["reason"] == "consultation_not_closed"
    assert item["params"]["title"] == "電動機車補助草案"
    assert item["link_hint"] == {"kind": "consultation", "id": world.consultation.id}


def test_analysis_final_fails_without_a_run_and_when_the_data_changed(world):
    _answer_all(world)
    new = make_consultation(staff=world.lead, status="open", title="第二場諮詢")
    new.status = "closed"
    plans.link_consultation(db.session, world.plan, new.id, actor=world.lead)
    save()
    item = _items(world)["analysis_final"]
    assert not item["ok"] and item["reason"] == "no_analysis"
    plans.unlink_consultation(db.session, world.plan, new.id, actor=world.lead)
    save()
    assert _items(world)["analysis_final"]["ok"]
    set_status(world.comments["T2"][0], "hidden")  # moderation changed the input
    item = _items(world)["analysis_final"]
    assert not item["ok"] and item["reason"] == "analysis_stale"


def test_responses_published_fails_for_a_draft_or_missing_answer(world):
    respond(world, "T1", published=True)
    item = _items(world)["responses_published"]
    assert not item["ok"] and item["reason"] == "themes_unanswered"
    assert item["params"]["themes"] == "補助金額"
    respond(world, "T2", published=False)
    assert not _items(world)["responses_published"]["ok"]


def test_no_overdue_fails_when_a_follow_up_is_past_due(world):
    respond(world, "T1", published=True)
    late = respond(world, "T2", disposition="under_study", due_in_days=-1, published=True)
    item = _items(world)["no_overdue"]
    assert not item["ok"] and item["params"]["count"] == 1
    late.done_at = utcnow()
    save()
    assert _items(world)["no_overdue"]["ok"]


def test_participation_fails_for_a_consultation_without_visible_comments(world):
    for comments in world.comments.values():
        for c in comments:
            set_status(c, "hidden")
    item = _items(world)["participation"]
    assert not item["ok"] and item["reason"] == "no_participation"
    imported = world.comments["T2"][0]
    imported.origin_platform, imported.origin_url = "facebook", "https://facebook.com/p/1"
    set_status(imported, "visible")  # an imported item counts as participation too
    assert _items(world)["participation"]["ok"]


def test_outcome_current_fails_when_a_newer_run_failed_or_the_snapshot_is_stale(world):
    _answer_all(world)
    failed = make_run(world.consultation, [], status="failed")
    item = _items(world)["outcome_current"]
    assert not item["ok"] and item["reason"] == "newer_run_failed"
    db.session.delete(failed)
    save()
    make_run(
        world.consultation, [("T1", "充電設施", []), ("T2", "補助金額", [])], fingerprint="old"
    )
    item = _items(world)["outcome_current"]
    assert not item["ok"] and item["reason"] == "snapshot_stale"


def test_only_reviewers_decide_and_only_on_a_submitted_plan(world):
    with pytest.raises(Forbidden):
        reviews.record_decision(db.session, world.plan, actor=world.lead, decision="accept")
    with pytest.raises(Conflict):
        reviews.record_decision(db.session, world.plan, actor=world.reviewer, decision="accept")
    plans.submit_plan(db.session, world.plan, actor=world.lead)
    with pytest.raises(ValidationError):
        reviews.record_decision(db.session, world.plan, actor=world.reviewer, decision="maybe")
    with pytest.raises(ValidationError):
        reviews.record_decision(
            db.session, world.plan, actor=world.reviewer, decision="return", comments=" "
        )
    assert db.session.query(PlanReview).count() == 0


def test_a_reviewer_returns_then_accepts_and_the_history_is_kept(client, world):
    plans.submit_plan(db.session, world.plan, actor=world.lead)
    save()
    login(client, world.reviewer)
    page = client.get(f"/plans/{world.plan.id}?lang=en")
    html = page.get_data(as_text=True)
    assert 'id="check-responses_published"' in html and "Fail" in html
    token = csrf_from(html)
    r = client.post(
        f"/plans/{world.plan.id}/reviews",
        data={"csrf_token": token, "decision": "return", "comments": "請補齊主題回應"},
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert world.plan.status == "returned"
    _answer_all(world)
    plans.submit_plan(db.session, world.plan, actor=world.lead)
    save()
    r = client.post(
        f"/plans/{world.plan.id}/reviews", data={"csrf_token": token, "decision": "accept"}
    )
    assert r.status_code == 303
    history = reviews.history(db.session, world.plan)
    assert [h.decision for h in history] == ["accept", "return"]
    assert all(i["ok"] for i in history[0].checklist)
    assert not next(i for i in history[1].checklist if i["key"] == "responses_published")["ok"]
    page = client.get(f"/plans/{world.plan.id}?lang=en").get_data(as_text=True)
    assert "請補齊主題回應" in page and "9 of 9 checks passed" in page


def test_staff_see_the_checklist_with_reasons_and_links(client, world):
    login(client, world.lead)
    html = client.get(f"/plans/{world.plan.id}?lang=en").get_data(as_text=True)
    assert "theme(s) of “電動機車補助草案” have no published response with reasoning" in html
    assert f"/staff/consultations/{world.consultation.id}/responses" in html
    assert 'name="decision"' not in html  # staff do not decide


def test_the_newest_unfinished_run_does_not_count_as_the_snapshot(world):
    _answer_all(world)
    run = AnalysisRun(
        consultation_id=world.consultation.id,
        status="running",
        created_at=utcnow() + timedelta(seconds=1),
    )
    db.session.add(run)
    save()
    item = _items(world)["outcome_current"]
    assert not item["ok"] and item["reason"] == "newer_run_pending"
