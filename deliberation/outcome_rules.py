"""Who may read a plan's 政策溝通成效 section, and who sees draft responses in it (pure rules)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Plan, Role, User


def plan_agency_ids(plan: Plan) -> set[int]:
    """The lead agency and the co-agencies of a plan."""
    return {plan.lead_agency_id, *(a.id for a in plan.co_agencies)}


def _is_plan_staff(actor: User | None, agency_ids: Iterable[int]) -> bool:
    return (
        actor is not None
        and actor.role == Role.STAFF.value
        and actor.agency_id is not None
        and actor.agency_id in set(agency_ids)
    )


def can_view_outcome(actor: User | None, agency_ids: Iterable[int]) -> bool:
    """Staff of the plan's lead and co-agencies, reviewers and admins read the section."""
    if actor is None or not actor.is_active:
        return False
    if actor.role in (Role.ADMIN.value, Role.REVIEWER.value):
        return True
    return _is_plan_staff(actor, agency_ids)


def sees_draft_responses(actor: User | None, agency_ids: Iterable[int]) -> bool:
    """Draft (unpublished) responses are the agencies' work in progress: their staff and admins
    see them, marked as drafts. Reviewers judge what the agency has published, so their section
    shows published responses only (and says so)."""
    if actor is None or not actor.is_active:
        return False
    return actor.role == Role.ADMIN.value or _is_plan_staff(actor, agency_ids)
