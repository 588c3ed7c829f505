"""Consultations (drafts open for comment), their sections and their threads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from .. import rules
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..models import (
    Comment,
    Consultation,
    ConsultationStatus,
    Section,
    Thread,
    User,
    utcnow,
)
from ..notifications import operations as notifications
from ..notifications.rules import Kind
from ..opendata.refresh import dataset_changed
from ..outbox import after_commit
from ..sanitize import clean_line, plain_text, render_markdown
from ..webhooks import operations as webhooks
from .comment_rows import tokens_of

MAX_TITLE = 200
MAX_SUMMARY = 2000
MAX_BODY = 200_000


@dataclass(frozen=True)
class SectionInput:
    title: str
    body: str = ""
    id: int | None = None  # an existing section being edited


def _check_text(title: str, summary: str, body: str) -> tuple[str, str]:
    title = clean_line(title or "")
    if not title:
        raise ValidationError("title_required", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError("title_too_long", field="title", max=MAX_TITLE)
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise ValidationError("summary_too_long", field="summary", max=MAX_SUMMARY)
    if len(body or "") > MAX_BODY:
        raise ValidationError("body_too_long", field="body", max=MAX_BODY)
    return title, summary


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    for value in (opens_at, closes_at):
        if value is not None and value.tzinfo is None:
            raise ValidationError("invalid_date", field="opens_at")
    if opens_at and closes_at and opens_at >= closes_at:
        raise ValidationError("dates_out_of_order", field="closes_at")


def _check_sections(sections: Sequence[SectionInput]) -> list[SectionInput]:
    cleaned = []
    for s in sections:
        title = clean_line(s.title or "")
        if not title and not (s.body or "").strip():
            continue  # an empty slot in the form
        if not title:
            raise ValidationError("section_title_required", field="sections")
        if len(title) > MAX_TITLE:
            raise ValidationError("title_too_long", field="sections", max=MAX_TITLE)
        cleaned.append(SectionInput(title=title, body=(s.body or "").strip(), id=s.id))
    return cleaned


def create_consultation(
    session: Session,
    *,
    actor: User | None,
    title: str,
    summary: str = "",
    body: str = "",
    sections: Sequence[SectionInput] = (),
    status: str = ConsultationStatus.DRAFT.value,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """Staff of an agency create a draft, with a general thread and one thread per section."""
    if not rules.can_create_consultation(actor):
        raise Forbidden("staff_only")
    assert actor is not None and actor.agency_id is not None
    title, summary = _check_text(title, summary, body)
    _check_dates(opens_at, closes_at)
    if status not in {s.value for s in ConsultationStatus}:
        raise ValidationError("invalid_status", field="status")
    if not rules.transition_allowed(ConsultationStatus.DRAFT, status):
        raise ValidationError("invalid_status", field="status")
    section_inputs = _check_sections(sections)
    consultation = Consultation(
        agency_id=actor.agency_id,
        title=title,
        summary=summary,
        body=body or "",
        body_html=render_markdown(body or ""),
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor.id,
    )
    session.add(consultation)
    session.flush()
    session.add(Thread(consultation_id=consultation.id))
    for position, s in enumerate(section_inputs, start=1):
        section = Section(
            consultation_id=consultation.id,
            position=position,
            title=s.title,
            body=s.body,
            body_html=render_markdown(s.body),
        )
        session.add(section)
        session.flush()
        session.add(Thread(consultation_id=consultation.id, section_id=section.id))
    session.flush()
    set_search_tokens(session, consultation)
    _announce(session, consultation, ConsultationStatus.DRAFT.value)
    return consultation


def set_search_tokens(session: Session, consultation: Consultation) -> None:
    """Write the search tokens of the consultation and its sections (deliberation/search)."""
    consultation.tokens = tokens_of(
        f"{consultation.title} {consultation.summary} {plain_text(consultation.body_html)}"
    )
    for section in session.scalars(
        select(Section).where(Section.consultation_id == consultation.id)
    ):
        section.tokens = tokens_of(f"{section.title} {plain_text(section.body_html)}")
    session.flush()


def _announce(session: Session, consultation: Consultation, before: str) -> None:
    """Tell followers (after the commit) that a consultation opened or closed."""
    if consultation.status == before:
        return
    if consultation.status == ConsultationStatus.OPEN.value:
        notifications.consultation_news(session, consultation.id, Kind.CONSULTATION_OPENED)
    elif consultation.status == ConsultationStatus.CLOSED.value:
        notifications.consultation_news(session, consultation.id, Kind.CONSULTATION_CLOSED)
        webhooks.consultation_closed(session, consultation)  # sent after the commit


def update_consultation(
    session: Session,
    consultation: Consultation,
    *,
    actor: User | None,
    title: str,
    summary: str = "",
    body: str = "",
    sections: Sequence[SectionInput] | None = None,
    status: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """Edit text, dates, status and sections. A section that has comments cannot be removed."""
    if not rules.can_manage_consultation(actor, consultation):
        raise Forbidden("not_agency_staff")
    title, summary = _check_text(title, summary, body)
    _check_dates(opens_at, closes_at)
    new_status = status or consultation.status
    if new_status not in {s.value for s in ConsultationStatus}:
        raise ValidationError("invalid_status", field="status")
    if not rules.transition_allowed(consultation.status, new_status):
        raise Conflict("invalid_transition", current=consultation.status, new=new_status)

    if sections is not None:
        _replace_sections(session, consultation, _check_sections(sections))

    consultation.title = title
    consultation.summary = summary
    consultation.body = body or ""
    consultation.body_html = render_markdown(body or "")
    consultation.opens_at = opens_at
    consultation.closes_at = closes_at
    closed = ConsultationStatus.CLOSED.value
    closing = new_status == closed and consultation.status != closed
    before = consultation.status
    consultation.status = new_status
    consultation.updated_at = utcnow()
    session.flush()
    set_search_tokens(session, consultation)
    _announce(session, consultation, before)
    if closing:
        after_commit(session, "analysis.run_on_close", consultation.id)  # closing starts one
    elif new_status == ConsultationStatus.CONCLUDED.value and before != new_status:
        dataset_changed(session, consultation)  # its dataset says so, rebuilt after the commit
    return consultation


def _replace_sections(
    session: Session, consultation: Consultation, inputs: list[SectionInput]
) -> None:
    existing = {s.id: s for s in consultation.sections}
    kept_ids = {s.id for s in inputs if s.id is not None}
    unknown = kept_ids - existing.keys()
    if unknown:
        raise ValidationError("unknown_section", field="sections")
    removed = [s for sid, s in existing.items() if sid not in kept_ids]
    for section in removed:
        has_comments = session.scalar(
            select(func.count(Comment.id)).join(Thread).where(Thread.section_id == section.id)
        )
        if has_comments:
            raise Conflict("section_has_comments", title=section.title)
    for section in removed:
        thread = session.scalar(select(Thread).where(Thread.section_id == section.id))
        if thread is not None:
            session.delete(thread)
        consultation.sections.remove(section)
    # Park positions out of the way first so the unique (consultation, position) never clashes.
    for i, section in enumerate(consultation.sections):
        section.position = -(i + 1)
    session.flush()
    for position, s in enumerate(inputs, start=1):
        if s.id is not None:
            section = existing[s.id]
            section.title, section.body = s.title, s.body
            section.body_html = render_markdown(s.body)
            section.position = position
        else:
            section = Section(
                consultation_id=consultation.id,
                position=position,
                title=s.title,
                body=s.body,
                body_html=render_markdown(s.body),
            )
            session.add(section)
            session.flush()
            session.add(Thread(consultation_id=consultation.id, section_id=section.id))
    session.flush()
    session.expire(consultation, ["sections"])


def set_status(
    session: Session, consultation: Consultation, status: str, *, actor: User | None
) -> Consultation:
    """Move a consultation along draft → open → closed → concluded."""
    if not rules.can_manage_consultation(actor, consultation):
        raise Forbidden("not_agency_staff")
    if status not in {s.value for s in ConsultationStatus}:
        raise ValidationError("invalid_status", field="status")
    if not rules.transition_allowed(consultation.status, status):
        raise Conflict("invalid_transition", current=consultation.status, new=status)
    return _move(session, consultation, status)


def _move(session: Session, consultation: Consultation, status: str) -> Consultation:
    before = consultation.status
    consultation.status = status
    consultation.updated_at = utcnow()
    session.flush()
    _announce(session, consultation, before)
    if status == ConsultationStatus.CLOSED.value:
        after_commit(session, "analysis.run_on_close", consultation.id)  # closing starts one
    elif status == ConsultationStatus.CONCLUDED.value:
        dataset_changed(session, consultation)  # its dataset says so, rebuilt after the commit
    return consultation


def close_due(session: Session, now: datetime) -> list[Consultation]:
    """Close every open consultation whose closing time has passed, as closing one by hand
    does (followers' notice, the consultation.closed webhook, its analysis, then its open
    dataset): for the timer (`flask analysis run-due`). Staff may reopen one."""
    due = session.scalars(
        select(Consultation)
        .where(
            Consultation.status == ConsultationStatus.OPEN.value,
            Consultation.closes_at.is_not(None),
            Consultation.closes_at <= now,
        )
        .order_by(Consultation.id)
    ).all()
    return [_move(session, consultation, ConsultationStatus.CLOSED.value) for consultation in due]


def visible_consultation(viewer: User | None) -> ColumnElement[bool]:
    """SQL for `rules.can_view_consultation`: the consultations this viewer may see (drafts
    only for those who manage them; rules.draft_agency_ids)."""
    agencies = rules.draft_agency_ids(viewer)
    if agencies is None:
        return true()
    public = Consultation.status != ConsultationStatus.DRAFT.value
    if not agencies:
        return public
    return or_(public, Consultation.agency_id.in_(sorted(agencies)))


def list_consultations(
    session: Session, viewer: User | None, *, status: str | None = None
) -> list[Consultation]:
    """Consultations this viewer may see, open ones first, newest first."""
    stmt = (
        select(Consultation)
        .options(selectinload(Consultation.agency))
        .where(visible_consultation(viewer))
    )
    if status:
        stmt = stmt.where(Consultation.status == status)
    order = {
        ConsultationStatus.OPEN.value: 0,
        ConsultationStatus.DRAFT.value: 1,
        ConsultationStatus.CLOSED.value: 2,
        ConsultationStatus.CONCLUDED.value: 3,
    }
    items = list(
        session.scalars(stmt.order_by(Consultation.created_at.desc(), Consultation.id.desc()))
    )
    return sorted(items, key=lambda c: order.get(c.status, 9))


def get_consultation(session: Session, consultation_id: int, viewer: User | None) -> Consultation:
    """The consultation with its sections, or NotFound (drafts are invisible to the public)."""
    consultation = session.scalar(
        select(Consultation)
        .where(Consultation.id == consultation_id)
        .options(
            selectinload(Consultation.sections).selectinload(Section.thread),
            selectinload(Consultation.threads),
            selectinload(Consultation.agency),
        )
    )
    if consultation is None or not rules.can_view_consultation(viewer, consultation):
        raise NotFound("consultation_not_found")
    return consultation


def general_thread(consultation: Consultation) -> Thread:
    return next(t for t in consultation.threads if t.section_id is None)


def ordered_threads(consultation: Consultation) -> list[Thread]:
    """The general thread first, then one per section in section order."""
    by_section = {t.section_id: t for t in consultation.threads}
    out = [by_section[None]] if None in by_section else []
    out += [by_section[s.id] for s in consultation.sections if s.id in by_section]
    return out


def comment_counts(session: Session, thread_ids: Sequence[int]) -> dict[int, int]:
    """Visible comments per thread, in one query."""
    if not thread_ids:
        return {}
    rows = session.execute(
        select(Comment.thread_id, func.count(Comment.id))
        .where(Comment.thread_id.in_(thread_ids), Comment.status == "visible")
        .group_by(Comment.thread_id)
    )
    return {tid: n for tid, n in rows}


def comment_totals(session: Session, consultation_ids: Sequence[int]) -> dict[int, int]:
    """Visible comments per consultation (all its threads), in one query."""
    if not consultation_ids:
        return {}
    rows = session.execute(
        select(Thread.consultation_id, func.count(Comment.id))
        .join(Comment, Comment.thread_id == Thread.id)
        .where(Thread.consultation_id.in_(consultation_ids), Comment.status == "visible")
        .group_by(Thread.consultation_id)
    )
    return {cid: n for cid, n in rows}
