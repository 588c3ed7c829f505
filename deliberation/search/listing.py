"""The consultations list: filter by agency, status, topic tag and date; sort by closing soon,
newest or most discussed. Reads only; drafts only for those who manage them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import Forbidden, ValidationError
from ..models import (
    Agency,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Thread,
    User,
)
from ..rules import can_manage_consultation
from ..sanitize import clean_line
from ..services.consultations import visible_consultation
from .models import ConsultationTag

SORTS = ("closing", "newest", "discussed")
MAX_TAGS = 8
MAX_TAG = 40
TAIPEI = timedelta(hours=8)  # dates on the list are Taiwan dates


@dataclass(frozen=True)
class Filters:
    agency: str | None = None  # agency code
    status: str | None = None
    tag: str | None = None
    on: date | None = None  # open for comments on this (Taiwan) date
    sort: str = "closing"


@dataclass
class Row:
    consultation: Consultation
    comments: int
    tags: list[str]


def parse_filters(args: dict[str, Any]) -> Filters:
    """Filters from query parameters; a bad value is a ValidationError naming its field."""
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in {s.value for s in ConsultationStatus}:
        raise ValidationError("invalid_parameter", field="status")
    sort = (args.get("sort") or "closing").strip()
    if sort not in SORTS:
        raise ValidationError("invalid_parameter", field="sort")
    raw_date = (args.get("date") or "").strip()
    on = None
    if raw_date:
        try:
            on = date.fromisoformat(raw_date)
        except ValueError:
            raise ValidationError("invalid_parameter", field="date") from None
    return Filters(
        agency=(args.get("agency") or "").strip() or None,
        status=status,
        tag=clean_line(args.get("tag") or "") or None,
        on=on,
        sort=sort,
    )


def days_left(consultation: Consultation, now: datetime) -> int | None:
    """Taiwan calendar days until an open consultation closes (剩 N 天; 0: it closes today),
    or None when it is not open or has no closing date."""
    if consultation.status != ConsultationStatus.OPEN.value or consultation.closes_at is None:
        return None
    closes = (consultation.closes_at + TAIPEI).date()
    today = (now + TAIPEI).date()
    return max(0, (closes - today).days)


def browse(session: Session, viewer: User | None, filters: Filters) -> list[Row]:
    """The consultations this viewer may see, filtered and sorted, with counts and tags."""
    counts = (
        select(Thread.consultation_id, func.count(Comment.id).label("n"))
        .join(Comment, Comment.thread_id == Thread.id)
        .where(Comment.status == CommentStatus.VISIBLE.value)
        .group_by(Thread.consultation_id)
        .subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    stmt = (
        select(Consultation, n)
        .outerjoin(counts, counts.c.consultation_id == Consultation.id)
        .options(selectinload(Consultation.agency))
    )
    stmt = stmt.where(visible_consultation(viewer))
    if filters.agency:
        stmt = stmt.join(Agency, Agency.id == Consultation.agency_id).where(
            Agency.code == filters.agency
        )
    if filters.status:
        stmt = stmt.where(Consultation.status == filters.status)
    if filters.tag:
        tagged = select(ConsultationTag.consultation_id).where(ConsultationTag.tag == filters.tag)
        stmt = stmt.where(Consultation.id.in_(tagged))
    if filters.on is not None:
        start = datetime.combine(filters.on, time.min, tzinfo=UTC) - TAIPEI
        end = start + timedelta(days=1)
        stmt = stmt.where(
            Consultation.status != ConsultationStatus.DRAFT.value,
            or_(Consultation.opens_at.is_(None), Consultation.opens_at < end),
            or_(Consultation.closes_at.is_(None), Consultation.closes_at >= start),
        )
    if filters.sort == "newest":
        stmt = stmt.order_by(Consultation.created_at.desc(), Consultation.id.desc())
    elif filters.sort == "discussed":
        stmt = stmt.order_by(n.desc(), Consultation.id.desc())
    else:  # closing soon: open ones by closing date (no date last), then the rest, newest first
        is_open = Consultation.status == ConsultationStatus.OPEN.value
        stmt = stmt.order_by(
            case((is_open, 0), else_=1),
            case((Consultation.closes_at.is_(None), 1), else_=0),
            Consultation.closes_at.asc(),
            Consultation.created_at.desc(),
        )
    rows = session.execute(stmt).all()
    tags = tags_of(session, [c.id for c, _ in rows])
    return [Row(c, int(count), tags.get(c.id, [])) for c, count in rows]


def tags_of(session: Session, consultation_ids: list[int]) -> dict[int, list[str]]:
    """Each consultation's tags, sorted."""
    if not consultation_ids:
        return {}
    out: dict[int, list[str]] = {}
    for cid, tag in session.execute(
        select(ConsultationTag.consultation_id, ConsultationTag.tag)
        .where(ConsultationTag.consultation_id.in_(consultation_ids))
        .order_by(ConsultationTag.tag)
    ):
        out.setdefault(cid, []).append(tag)
    return out


def all_tags(session: Session) -> list[str]:
    """Every tag in use on a public consultation, for the filter's choices."""
    return list(
        session.scalars(
            select(ConsultationTag.tag)
            .join(Consultation, Consultation.id == ConsultationTag.consultation_id)
            .where(Consultation.status != ConsultationStatus.DRAFT.value)
            .distinct()
            .order_by(ConsultationTag.tag)
        )
    )


def parse_tags(raw: str) -> list[str]:
    """Tags from a comma-separated field (，、 and , all separate); refuses too many or too long."""
    tags: list[str] = []
    for part in re.split(r"[,，、]", raw or ""):
        tag = clean_line(part)
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise ValidationError("tag_too_long", field="tags", max=MAX_TAG)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError("too_many_tags", field="tags", max=MAX_TAGS)
    return tags


def set_tags(
    session: Session, consultation: Consultation, raw: str, *, actor: User | None
) -> list[str]:
    """Replace a consultation's topic tags (its agency's staff or an admin). Flushes."""
    if not can_manage_consultation(actor, consultation):
        raise Forbidden("not_agency_staff")
    tags = parse_tags(raw)
    session.execute(
        delete(ConsultationTag).where(ConsultationTag.consultation_id == consultation.id)
    )
    for tag in tags:
        session.add(ConsultationTag(consultation_id=consultation.id, tag=tag))
    session.flush()
    return tags
