"""Plans (中長程個案計畫): create and edit, linked consultations, co-agencies, indicators, notes,
submission. Only staff of the lead agency edit; co-agencies and reviewers read and comment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from .. import plan_rules, rules
from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import (
    Agency,
    Consultation,
    Plan,
    PlanAgency,
    PlanConsultation,
    PlanIndicator,
    PlanNote,
    PlanStatus,
    Role,
    User,
    utcnow,
)
from ..plan_links import operations as link_requests
from ..sanitize import clean_line, render_markdown
from ..webhooks import operations as webhooks

MAX_TITLE = 200
MAX_SUMMARY = 5000
MAX_CHANGES = 20_000
MAX_NOTE = 5000
MAX_INDICATORS = 50
MAX_BUDGET = 10**12  # NT$ thousands; a sanity bound, far above any real plan

UNSET: Any = object()  # "not given" for partial updates (the API's PATCH)


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    target: str = ""


def co_agency_ids(plan: Plan) -> list[int]:
    return [a.id for a in plan.co_agencies]


def _require_actor(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    return actor


def _check_title(title: str) -> str:
    title = clean_line(title or "")
    if not title:
        raise ValidationError("title_required", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError("title_too_long", field="title", max=MAX_TITLE)
    return title


def _check_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise ValidationError("summary_too_long", field="summary", max=MAX_SUMMARY)
    return summary


def _check_changes(changes: str) -> str:
    changes = (changes or "").strip()
    if len(changes) > MAX_CHANGES:
        raise ValidationError("body_too_long", field="changes", max=MAX_CHANGES)
    return changes


def _check_budget(budget: int | None) -> int | None:
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, int) or not 0 <= budget <= MAX_BUDGET:
        raise ValidationError("invalid_budget", field="budget")
    return budget


def _check_period(start: datetime | None, end: datetime | None) -> None:
    for name, value in (("period_start", start), ("period_end", end)):
        if value is not None and value.tzinfo is None:
            raise ValidationError("invalid_date", field=name)
    if start is not None and end is not None and start > end:
        raise ValidationError("period_out_of_order", field="period_end")


def _check_indicators(items: Sequence[IndicatorInput]) -> list[IndicatorInput]:
    out = []
    for item in items:
        name = clean_line(item.name or "")
        target = clean_line(item.target or "")
        if not name and not target:
            continue  # an empty row of the form
        if not name:
            raise ValidationError("indicator_name_required", field="indicators")
        if len(name) > 200 or len(target) > 200:
            raise ValidationError("indicator_too_long", field="indicators", max=200)
        out.append(IndicatorInput(name=name, target=target))
    if len(out) > MAX_INDICATORS:
        raise ValidationError("too_many_indicators", field="indicators", max=MAX_INDICATORS)
    return out


def _consultations(session: Session, ids: Sequence[int], actor: User | None) -> list[Consultation]:
    wanted = list(dict.fromkeys(ids))
    found = {
        c.id: c for c in session.scalars(select(Consultation).where(Consultation.id.in_(wanted)))
    }
    for cid in wanted:
        item = found.get(cid)
        # A draft consultation of another agency is as good as absent to this actor.
        if item is None or (actor is not None and not rules.can_view_consultation(actor, item)):
            raise ValidationError("unknown_consultation", field="consultations", id=cid)
    return [found[cid] for cid in wanted]


def _agencies(session: Session, codes: Sequence[str], lead_agency_id: int) -> list[Agency]:
    wanted = list(dict.fromkeys(clean_line(c).upper() for c in codes if clean_line(c)))
    found = {a.code.upper(): a for a in session.scalars(select(Agency))} if wanted else {}
    out = []
    for code in wanted:
        agency = found.get(code)
        if agency is None:
            raise ValidationError("unknown_agency", field="co_agencies", agency=code)
        if agency.id != lead_agency_id:  # the lead is not its own co-agency
            out.append(agency)
    return out


def agency_by_code(session: Session, code: str) -> Agency:
    """The agency with this code, or a ValidationError."""
    code = clean_line(code or "").upper()
    agency = next((a for a in session.scalars(select(Agency)) if a.code.upper() == code), None)
    if agency is None:
        raise ValidationError("unknown_agency", field="agency", agency=code)
    return agency


def create_plan(
    session: Session,
    *,
    actor: User | None,
    title: str,
    lead_agency: Agency | None = None,
    summary: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    budget: int | None = None,
    changes: str = "",
    consultation_ids: Sequence[int] = (),
    co_agency_codes: Sequence[str] = (),
    indicators: Sequence[IndicatorInput] = (),
    trusted: bool = False,
) -> Plan:
    """A new draft plan. Staff create for their own agency; admins (and the CLI, `trusted`) for
    any. Everything is checked before the first row is written."""
    if not trusted:
        actor = _require_actor(actor)
        if lead_agency is None:
            if actor.role != Role.STAFF or actor.agency_id is None:
                raise Forbidden("plan_staff_only")
            lead_agency = session.get(Agency, actor.agency_id)
        assert lead_agency is not None
        if not plan_rules.can_create_plan(actor, lead_agency.id):
            raise Forbidden("plan_staff_only")
    if lead_agency is None:
        raise ValidationError("unknown_agency", field="agency", agency="")
    title = _check_title(title)
    summary = _check_summary(summary)
    changes = _check_changes(changes)
    budget = _check_budget(budget)
    _check_period(period_start, period_end)
    linked = _consultations(session, consultation_ids, None if trusted else actor)
    co = _agencies(session, co_agency_codes, lead_agency.id)
    rows = _check_indicators(indicators)
    plan = Plan(
        title=title,
        lead_agency_id=lead_agency.id,
        summary=summary,
        period_start=period_start,
        period_end=period_end,
        budget=budget,
        changes=changes,
        changes_html=render_markdown(changes),
        owner_id=actor.id if actor is not None else None,
        status=PlanStatus.DRAFT.value,
    )
    session.add(plan)
    session.flush()
    # Another agency's consultation is asked for, not linked: its agency accepts or declines.
    direct, asked = (
        (linked, []) if trusted else link_requests.split_by_consent(lead_agency.id, linked, actor)
    )
    for c in direct:
        session.add(PlanConsultation(plan_id=plan.id, consultation_id=c.id))
    link_requests.request_links(session, plan, asked, actor=actor)
    for a in co:
        session.add(PlanAgency(plan_id=plan.id, agency_id=a.id))
    for position, row in enumerate(rows):
        session.add(
            PlanIndicator(plan_id=plan.id, position=position, name=row.name, target=row.target)
        )
    session.flush()
    session.expire(plan, ["co_agencies", "consultations", "indicators"])
    return plan


def _load(session: Session, plan_id: int) -> Plan | None:
    return session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.co_agencies),
            selectinload(Plan.consultations).selectinload(Consultation.agency),
            selectinload(Plan.indicators),
            selectinload(Plan.lead_agency),
            selectinload(Plan.owner),
        )
    )


def get_plan(session: Session, plan_id: int, actor: User | None) -> Plan:
    """A plan the actor may read: 404 when absent, 401 for anonymous, 403 for anyone else."""
    plan = _load(session, plan_id)
    if plan is None:
        raise NotFound("plan_not_found")
    actor = _require_actor(actor)
    if not plan_rules.can_read_plan(actor, plan.lead_agency_id, co_agency_ids(plan)):
        raise Forbidden("plan_forbidden")
    return plan


def _require_edit(plan: Plan, actor: User | None) -> User:
    actor = _require_actor(actor)
    if not plan_rules.can_edit_plan(actor, plan.lead_agency_id):
        raise Forbidden("not_lead_agency")
    if plan.status not in plan_rules.EDITABLE:
        raise Conflict("plan_locked", state=plan.status)
    return actor


def update_plan(
    session: Session,
    plan: Plan,
    *,
    actor: User | None,
    title: Any = UNSET,
    summary: Any = UNSET,
    period_start: Any = UNSET,
    period_end: Any = UNSET,
    budget: Any = UNSET,
    changes: Any = UNSET,
    consultation_ids: Any = UNSET,
    co_agency_codes: Any = UNSET,
    indicators: Any = UNSET,
) -> Plan:
    """Edit the given fields (the others stay). All checks run before anything changes."""
    _require_edit(plan, actor)
    values: dict[str, Any] = {}
    if title is not UNSET:
        values["title"] = _check_title(title)
    if summary is not UNSET:
        values["summary"] = _check_summary(summary)
    if budget is not UNSET:
        values["budget"] = _check_budget(budget)
    if changes is not UNSET:
        values["changes"] = _check_changes(changes)
        values["changes_html"] = render_markdown(values["changes"])
    start = plan.period_start if period_start is UNSET else period_start
    end = plan.period_end if period_end is UNSET else period_end
    _check_period(start, end)
    linked = (
        _consultations(session, consultation_ids, actor) if consultation_ids is not UNSET else None
    )
    co = (
        _agencies(session, co_agency_codes, plan.lead_agency_id)
        if co_agency_codes is not UNSET
        else None
    )
    rows = _check_indicators(indicators) if indicators is not UNSET else None

    for name, value in values.items():
        setattr(plan, name, value)
    plan.period_start, plan.period_end = start, end
    if linked is not None:
        current = {c.id for c in plan.consultations}
        new = [c for c in linked if c.id not in current]
        direct, asked = link_requests.split_by_consent(plan.lead_agency_id, new, actor)
        direct_ids = {c.id for c in direct}
        plan.consultations = [c for c in linked if c.id in current or c.id in direct_ids]
        link_requests.request_links(session, plan, asked, actor=actor)
        link_requests.forget_unlinked(session, plan, [c.id for c in linked])
    if co is not None:
        plan.co_agencies = co
    if rows is not None:
        plan.indicators = [
            PlanIndicator(position=i, name=r.name, target=r.target) for i, r in enumerate(rows)
        ]
    plan.updated_at = utcnow()
    session.flush()
    return plan


def link_consultation(
    session: Session, plan: Plan, consultation_id: int, *, actor: User | None
) -> Plan:
    ids = [c.id for c in plan.consultations]
    if consultation_id in ids:
        return plan
    return update_plan(session, plan, actor=actor, consultation_ids=[*ids, consultation_id])


def unlink_consultation(
    session: Session, plan: Plan, consultation_id: int, *, actor: User | None
) -> Plan:
    ids = [c.id for c in plan.consultations if c.id != consultation_id]
    return update_plan(session, plan, actor=actor, consultation_ids=ids)


def submit_plan(session: Session, plan: Plan, *, actor: User | None) -> Plan:
    """The lead agency sends the plan to the reviewers (draft or returned → submitted)."""
    actor = _require_actor(actor)
    if not plan_rules.can_edit_plan(actor, plan.lead_agency_id):
        raise Forbidden("not_lead_agency")
    if plan.status not in plan_rules.SUBMITTABLE:
        raise Conflict("plan_locked", state=plan.status)
    plan.status = PlanStatus.SUBMITTED.value
    plan.updated_at = utcnow()
    session.flush()
    webhooks.plan_submitted(session, plan)  # sent after the commit
    return plan


def add_note(session: Session, plan: Plan, body: str, *, actor: User | None) -> PlanNote:
    """A comment on the plan by staff of its agencies or a reviewer."""
    actor = _require_actor(actor)
    if not plan_rules.can_note_plan(actor, plan.lead_agency_id, co_agency_ids(plan)):
        raise Forbidden("plan_forbidden")
    body = (body or "").strip()
    if not body:
        raise ValidationError("note_empty", field="body")
    if len(body) > MAX_NOTE:
        raise ValidationError("note_too_long", field="body", max=MAX_NOTE)
    note = PlanNote(plan_id=plan.id, author_id=actor.id, body=body, html=render_markdown(body))
    session.add(note)
    session.flush()
    return note


def notes(session: Session, plan: Plan) -> list[PlanNote]:
    return list(
        session.scalars(
            select(PlanNote)
            .where(PlanNote.plan_id == plan.id)
            .options(selectinload(PlanNote.author))
            .order_by(PlanNote.id)
        )
    )


def list_plans(session: Session, actor: User | None) -> list[Plan]:
    """Staff: their agencies' plans (lead or co). Reviewers: plans sent for review (and decided
    ones). Admins: all. Everyone else: none."""
    if actor is None:
        return []
    stmt = select(Plan).options(selectinload(Plan.lead_agency), selectinload(Plan.consultations))
    if actor.role == Role.ADMIN:
        pass
    elif actor.role == Role.REVIEWER:
        stmt = stmt.where(Plan.status != PlanStatus.DRAFT.value)
    elif actor.role == Role.STAFF and actor.agency_id is not None:
        co = select(PlanAgency.plan_id).where(PlanAgency.agency_id == actor.agency_id)
        stmt = stmt.where(or_(Plan.lead_agency_id == actor.agency_id, Plan.id.in_(co)))
    else:
        return []
    return list(session.scalars(stmt.order_by(Plan.id.desc())))


def plan_agency_ids_for_consultation(session: Session, consultation_id: int) -> set[int]:
    """Lead and co-agencies of every plan linking this consultation (they see draft answers)."""
    plan_ids = select(PlanConsultation.plan_id).where(
        PlanConsultation.consultation_id == consultation_id
    )
    leads = session.scalars(select(Plan.lead_agency_id).where(Plan.id.in_(plan_ids)))
    cos = session.scalars(select(PlanAgency.agency_id).where(PlanAgency.plan_id.in_(plan_ids)))
    return set(leads) | set(cos)
