"""The reviewer's checklist derived from what the outcome section requires (issue 15): the plan's
own sections written (not empty, not a placeholder), its period set, a published response for
every theme, figures no older than the latest analysis; each rule failing and passing, and the
checklist travelling with the JSON export."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from deliberation import plan_rules
from deliberation.models import utcnow
from deliberation.services import reviews
from deliberation.services.analysis_runs import input_fingerprint
from tests.factories import login, save

from .helpers import make_run, respond, set_status


def _items(world) -> dict[str, dict]:
    db.session.expire_all()
    return {i["key"]: i for i in reviews.checklist(db.session, world.plan)}


@pytest.fixture
def answered(world):
    respond(world, "T1", published=True)
    respond(world, "T2", published=True)
    return world


@pytest.mark.parametrize("key, field", [("plan_summary", "summary"), ("plan_changes", "changes")])
def test_an_empty_section_fails_with_the_reason_and_a_written_one_passes(answered, key, field):
    assert _items(answered)[key]["passed"] is True
    setattr(answered.plan, field, "")
    save()
    item = _items(answered)[key]
    assert item["passed"] is False and item["ok"] is False
    assert item["reason"] == "section_empty"
    assert item["link_hint"] == {"kind": "plan_edit", "id": answered.plan.id}


@pytest.mark.parametrize(
    "placeholder", ["（主責機關尚未填寫計畫因應調整情形。）", "待補", "TBD", "xxx", "○○○"]
)
def test_a_placeholder_in_section_four_fails_like_an_empty_one(answered, placeholder):
    answered.plan.changes = placeholder
    save()
    item = _items(answered)["plan_changes"]
    assert item["passed"] is False and item["reason"] == "section_placeholder"
    assert item["params"]["text"] == placeholder.strip()


def test_placeholder_rule_keeps_real_sentences():
    assert not plan_rules.is_placeholder("依諮詢意見，補助範圍納入充電設施。")
    assert not plan_rules.is_placeholder("無障礙設施納入補助")  # starts like 無, is not 無
    assert plan_rules.is_placeholder("  無。 ")


def test_a_missing_period_fails_and_a_set_one_passes(answered):
    assert _items(answered)["plan_period"]["passed"] is True
    answered.plan.period_end = None
    save()
    item = _items(answered)["plan_period"]
    assert item["passed"] is False and item["reason"] == "period_missing"


def test_a_theme_without_a_published_response_fails(world):
    respond(world, "T1", published=True)
    draft = respond(world, "T2", published=False)
    item = _items(world)["responses_published"]
    assert item["passed"] is False and item["reason"] == "themes_unanswered"
    assert item["params"]["themes"] == "補助金額"
    draft.published_at = utcnow()
    save()
    assert _items(world)["responses_published"]["passed"] is True


def test_figures_older_than_the_last_analysis_fail(answered):
    assert _items(answered)["outcome_current"]["passed"] is True
    # A comment hidden after the analysis: the snapshot no longer matches the figures.
    set_status(answered.comments["T2"][0], "hidden")
    item = _items(answered)["outcome_current"]
    assert item["passed"] is False and item["reason"] == "snapshot_stale"
    make_run(
        answered.consultation,
        [("T1", "充電設施", []), ("T2", "補助金額", [])],
        fingerprint=input_fingerprint(db.session, answered.consultation.id),
    )
    assert _items(answered)["outcome_current"]["passed"] is True


def test_the_plan_page_names_the_empty_section(client, answered):
    answered.plan.changes = "（主責機關尚未填寫計畫因應調整情形。）"
    save()
    login(client, answered.reviewer)
    html = client.get(f"/plans/{answered.plan.id}?lang=en").get_data(as_text=True)
    assert 'id="check-plan_changes"' in html
    assert "Section 4 (what changed in the plan) holds only a placeholder" in html


def test_the_json_export_carries_the_checklist_with_passed_and_reason(app, answered, tmp_path):
    answered.plan.changes = "待補"
    save()
    out = tmp_path / "outcome.json"
    result = app.test_cli_runner().invoke(
        args=[
            "plans",
            "export-outcome",
            str(answered.plan.id),
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    checklist = json.loads(out.read_text())["checklist"]
    assert [i["key"] for i in checklist] == list(reviews.CHECKLIST_KEYS)
    assert all(isinstance(i["passed"], bool) and i["reason"] for i in checklist)
    changes = next(i for i in checklist if i["key"] == "plan_changes")
    assert changes["passed"] is False and changes["reason_code"] == "section_placeholder"
    assert "待補" in changes["reason"] and "計畫因應調整情形" in changes["reason"]  # zh-TW words
    assert next(i for i in checklist if i["key"] == "plan_summary")["passed"] is True
