"""Asking, accepting and declining link requests (flush, never commit)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import plan_rules
from ..errors import Conflict, Forbidden, NotAuthenticated
from ..models import Consultation, Plan, PlanConsultation, User, utcnow
from . import rules
from .models import LinkRequestStatus, PlanLinkRequest

PENDING = LinkRequestStatus.PENDING.value


def split_by_consent(
    plan_lead_agency_id: int, wanted: Sequence[Consultation], actor: User | None
) -> tuple[list[Consultation], list[Consultation]]:
    """(linked at once, needing the other agency's consent), in the given order."""
    direct: list[Consultation] = []
    asked: list[Consultation] = []
    for c in wanted:
        (asked if rules.needs_consent(actor, plan_lead_agency_id, c.agency_id) else direct).append(
            c
        )
    return direct, asked


def request_links(
    session: Session, plan: Plan, wanted: Sequence[Consultation], *, actor: User | None
) -> list[PlanLinkRequest]:
    """A pending request per consultation (an existing pending one stays, a declined one is
    asked again); nothing is linked until the consultation's agency accepts."""
    if not wanted:
        return []
    existing = {
        r.consultation_id: r
        for r in session.scalars(
            select(PlanLinkRequest).where(
                PlanLinkRequest.plan_id == plan.id,
                PlanLinkRequest.consultation_id.in_([c.id for c in wanted]),
            )
        )
    }
    out = []
    for c in wanted:
        row = existing.get(c.id)
        if row is None:
            row = PlanLinkRequest(plan_id=plan.id, consultation_id=c.id, status=PENDING)
            session.add(row)
        elif row.status != PENDING:
            row.status, row.decided_at, row.decided_by_id = PENDING, None, None
        row.requested_by_id = actor.id if actor is not None else None
        out.append(row)
    session.flush()
    return out


def _decide(session: Session, request: PlanLinkRequest, actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_decide(actor, request.consultation.agency_id):
        raise Forbidden("link_request_forbidden")
    if request.status != PENDING:
        raise Conflict("link_request_decided", state=request.status)
    return actor


def accept(session: Session, request: PlanLinkRequest, *, actor: User | None) -> PlanLinkRequest:
    """The consultation's agency agrees: the consultation is linked to the plan."""
    actor = _decide(session, request, actor)
    if request.plan.status not in plan_rules.EDITABLE:
        raise Conflict("plan_locked", state=request.plan.status)
    linked = session.scalar(
        select(PlanConsultation.id).where(
            PlanConsultation.plan_id == request.plan_id,
            PlanConsultation.consultation_id == request.consultation_id,
        )
    )
    if linked is None:
        session.add(
            PlanConsultation(plan_id=request.plan_id, consultation_id=request.consultation_id)
        )
    request.status = LinkRequestStatus.ACCEPTED.value
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    session.flush()
    session.expire(request.plan, ["consultations"])
    return request


def decline(session: Session, request: PlanLinkRequest, *, actor: User | None) -> PlanLinkRequest:
    """The consultation's agency refuses: nothing is linked."""
    actor = _decide(session, request, actor)
    request.status = LinkRequestStatus.DECLINED.value
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    session.flush()
    return request


def forget_unlinked(session: Session, plan: Plan, keep_ids: Sequence[int]) -> None:
    """Pending requests for consultations the plan no longer asks for are withdrawn (deleted)."""
    for row in session.scalars(
        select(PlanLinkRequest).where(
            PlanLinkRequest.plan_id == plan.id, PlanLinkRequest.status == PENDING
        )
    ):
        if row.consultation_id not in keep_ids:
            session.delete(row)
    session.flush()
