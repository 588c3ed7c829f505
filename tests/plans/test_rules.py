"""Pure plan rules: who may do what, and when a follow-up is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from deliberation import plan_rules

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@dataclass
class U:
    role: str
    agency_id: int | None = None
    id: int = 1


def test_only_lead_agency_staff_and_admins_edit():
    assert plan_rules.can_edit_plan(U("staff", 1), 1)
    assert plan_rules.can_edit_plan(U("admin"), 1)
    assert not plan_rules.can_edit_plan(U("staff", 2), 1)
    assert not plan_rules.can_edit_plan(U("reviewer"), 1)
    assert not plan_rules.can_edit_plan(None, 1)


def test_co_agencies_and_reviewers_read_but_citizens_do_not():
    assert plan_rules.can_read_plan(U("staff", 2), 1, [2])
    assert plan_rules.can_read_plan(U("reviewer"), 1, [])
    assert not plan_rules.can_read_plan(U("staff", 3), 1, [2])
    assert not plan_rules.can_read_plan(U("citizen"), 1, [2])
    assert not plan_rules.can_read_plan(U("moderator"), 1, [2])


def test_only_reviewers_decide():
    assert plan_rules.can_decide(U("reviewer"))
    assert not plan_rules.can_decide(U("admin"))
    assert not plan_rules.can_decide(U("staff", 1))


def test_only_follow_ups_past_due_and_not_done_are_overdue():
    past, future = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert plan_rules.is_overdue("under_study", past, None, NOW)
    assert plan_rules.is_overdue("partly", past, None, NOW)
    assert not plan_rules.is_overdue("adopted", past, None, NOW)
    assert not plan_rules.is_overdue("not_adopted", past, None, NOW)
    assert not plan_rules.is_overdue("under_study", future, None, NOW)
    assert not plan_rules.is_overdue("under_study", past, NOW, NOW)
    assert not plan_rules.is_overdue("under_study", None, None, NOW)
