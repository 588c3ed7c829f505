"""Reading link requests."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import Forbidden, NotAuthenticated, NotFound
from ..models import Consultation, Plan, PlanAgency, PlanConsultation, Role, User
from . import rules
from .models import LinkRequestStatus, PlanLinkRequest


def _options():
    return (
        selectinload(PlanLinkRequest.plan).selectinload(Plan.lead_agency),
        selectinload(PlanLinkRequest.plan).selectinload(Plan.co_agencies),
        selectinload(PlanLinkRequest.consultation).selectinload(Consultation.agency),
        selectinload(PlanLinkRequest.requested_by),
    )


def plan_agency_ids(plan: Plan) -> set[int]:
    return {plan.lead_agency_id, *(a.id for a in plan.co_agencies)}


def get_request(session: Session, request_id: int, actor: User | None) -> PlanLinkRequest:
    """A request this actor may see: 404 when absent, 401 anonymous, 403 for anyone else."""
    row = session.scalar(
        select(PlanLinkRequest).where(PlanLinkRequest.id == request_id).options(*_options())
    )
    if row is None:
        raise NotFound("link_request_not_found")
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_see_request(actor, row.consultation.agency_id, plan_agency_ids(row.plan)):
        raise Forbidden("link_request_forbidden")
    return row


def for_plan(session: Session, plan_id: int) -> list[PlanLinkRequest]:
    """A plan's requests that are not accepted (accepted ones are simply linked)."""
    return list(
        session.scalars(
            select(PlanLinkRequest)
            .where(
                PlanLinkRequest.plan_id == plan_id,
                PlanLinkRequest.status != LinkRequestStatus.ACCEPTED.value,
            )
            .options(*_options())
            .order_by(PlanLinkRequest.id)
        )
    )


def visible_to(session: Session, actor: User | None) -> list[PlanLinkRequest]:
    """Requests to and from the actor's agency (all of them for admins), newest first."""
    if actor is None or not actor.is_active:
        return []
    stmt = select(PlanLinkRequest).options(*_options()).order_by(PlanLinkRequest.id.desc())
    if actor.role == Role.ADMIN:
        return list(session.scalars(stmt))
    if actor.role != Role.STAFF or actor.agency_id is None:
        return []
    ours = select(Consultation.id).where(Consultation.agency_id == actor.agency_id)
    co = select(PlanAgency.plan_id).where(PlanAgency.agency_id == actor.agency_id)
    led = select(Plan.id).where(Plan.lead_agency_id == actor.agency_id)
    stmt = stmt.where(
        or_(
            PlanLinkRequest.consultation_id.in_(ours),
            PlanLinkRequest.plan_id.in_(led),
            PlanLinkRequest.plan_id.in_(co),
        )
    )
    return list(session.scalars(stmt))


def linked_agency_ids(session: Session, consultation_id: int) -> set[int]:
    """Lead and co-agencies of every plan linking this consultation (each link consented)."""
    plan_ids = select(PlanConsultation.plan_id).where(
        PlanConsultation.consultation_id == consultation_id
    )
    leads = session.scalars(select(Plan.lead_agency_id).where(Plan.id.in_(plan_ids)))
    cos = session.scalars(select(PlanAgency.agency_id).where(PlanAgency.plan_id.in_(plan_ids)))
    return set(leads) | set(cos)
