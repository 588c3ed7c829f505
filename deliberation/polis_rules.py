"""Who may import a Polis conversation and who may export one: pure rules, no database."""

from __future__ import annotations

from .models import Role
from .rules import Actor, ConsultationLike, can_view_consultation


def import_refusal(actor: Actor | None, agency_id: int | None) -> str | None:
    """Admins import into any agency, staff into their own; None means allowed."""
    if actor is None:
        return "not_authenticated"
    if not actor.is_active:
        return "account_inactive"
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.STAFF and agency_id is not None and actor.agency_id == agency_id:
        return None
    return "polis_import_forbidden"


def export_refusal(actor: Actor | None, consultation: ConsultationLike) -> str | None:
    """Staff of the consultation's agency, reviewers and admins export; None means allowed. A
    draft is absent ("consultation_not_found") to everyone who cannot manage it, first."""
    if not can_view_consultation(actor, consultation):
        return "consultation_not_found"
    if actor is None:
        return "not_authenticated"
    if not actor.is_active:
        return "account_inactive"
    if actor.role in (Role.ADMIN, Role.REVIEWER):
        return None
    if actor.role == Role.STAFF and actor.agency_id == consultation.agency_id:
        return None
    return "polis_export_forbidden"
