"""Who links, asks, accepts and declines (pure rules, no database)."""

from __future__ import annotations

from collections.abc import Collection

from ..models import Role
from ..rules import Actor


def _active(user: Actor | None) -> bool:
    return user is not None and user.is_active


def needs_consent(
    user: Actor | None, plan_lead_agency_id: int, consultation_agency_id: int
) -> bool:
    """A consultation of another agency joins a plan only with that agency's consent; the lead
    agency links its own consultations, and an admin links any, directly."""
    if _active(user) and user is not None and user.role == Role.ADMIN:
        return False
    return consultation_agency_id != plan_lead_agency_id


def can_decide(user: Actor | None, consultation_agency_id: int) -> bool:
    """Staff of the consultation's agency (or an admin) accept or decline a link request."""
    if not _active(user) or user is None:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.STAFF and user.agency_id == consultation_agency_id


def can_see_request(
    user: Actor | None, consultation_agency_id: int, plan_agency_ids: Collection[int]
) -> bool:
    """The deciding agency, the plan's agencies and admins see a request."""
    if can_decide(user, consultation_agency_id):
        return True
    return (
        _active(user)
        and user is not None
        and user.role == Role.STAFF
        and user.agency_id is not None
        and user.agency_id in plan_agency_ids
    )
