"""Changes to quick polls: build the poll, enter the margins, answer, erase after retention.

Each checks its rule, writes, and flushes; the caller's unit of work commits (never here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..demographics import check_attributes, is_expired
from ..errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from ..models import Consultation, User, utcnow
from ..services.screening import check_participation
from . import queries, rules
from .models import Poll, PollQuestion, PollResponse, PopulationMargin


def _require_staff(actor: User | None, consultation: Consultation) -> None:
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_manage(actor, consultation):
        raise Forbidden("poll_staff_only")


def save_poll(
    session: Session,
    consultation: Consultation,
    *,
    actor: User | None,
    title: str,
    questions: Sequence[Mapping[str, Any]],
) -> Poll:
    """Create or change the consultation's poll. Once someone has answered, only the title may
    change: answers refer to the questions and options as they were asked."""
    _require_staff(actor, consultation)
    specs = rules.check_questions(title, questions)
    poll = queries.poll_of(session, consultation.id)
    if poll is None:
        poll = Poll(
            consultation_id=consultation.id,
            title=title.strip(),
            notice_version=rules.NOTICE_VERSION,
            retain_until=utcnow() + timedelta(days=rules.RETENTION_DAYS),
        )
        session.add(poll)
        session.flush()
    poll.title = title.strip()
    current = [rules.QuestionSpec(q.kind, q.prompt, tuple(q.options)) for q in poll.questions]
    if current != specs:
        if queries.response_count(session, poll) > 0:
            raise Conflict("poll_locked")
        poll.questions.clear()
        session.flush()
        poll.questions.extend(
            PollQuestion(position=i, kind=s.kind, prompt=s.prompt, options=list(s.options))
            for i, s in enumerate(specs, start=1)
        )
    session.flush()
    return poll


def set_margins(
    session: Session,
    consultation: Consultation,
    margins: Sequence[rules.Margin],
    *,
    actor: User | None,
    source: str = "",
) -> int:
    """Replace the consultation's population margins (all or nothing). Once respondents gave
    demographic answers, only the shares may change, not the categories or features they chose
    from."""
    _require_staff(actor, consultation)
    rules.check_margins(margins)
    old = queries.margins_of(session, consultation.id)
    poll = queries.poll_of(session, consultation.id)
    same_choices = rules.categories_of(old) == rules.categories_of(margins)
    if not same_choices and poll is not None and queries.with_demographics(session, poll) > 0:
        raise Conflict("poll_margins_locked")
    for row in queries.margin_rows(session, consultation.id):
        session.delete(row)
    session.flush()
    session.add_all(
        PopulationMargin(
            consultation_id=consultation.id,
            category=m.category,
            feature=m.feature,
            share=m.share,
            source=" ".join(source.split())[:200],
            position=i,
        )
        for i, m in enumerate(margins)
    )
    session.flush()
    return len(margins)


def answer(
    session: Session,
    poll: Poll,
    *,
    actor: User | None,
    answers: Mapping[str, Any],
    demographics: Mapping[str, str] | None = None,
    consent: bool = False,
    notice_version: str = "",
    now: datetime | None = None,
) -> tuple[PollResponse, bool]:
    """Record this account's answers, or change them while the consultation is open.

    Returns (response, created). Demographic answers are kept only with consent to the notice
    of this version; without them the answers still count (unweighted). Two submissions racing
    for a first answer meet the unique constraint: the second is refused with a message, and
    one row remains."""
    now = now or utcnow()
    refusal = rules.answer_refusal(actor, poll.consultation, now)
    if refusal == "not_authenticated" or actor is None:
        raise NotAuthenticated()
    if refusal == "poll_closed":
        raise Conflict("poll_closed")
    if refusal is not None:
        raise Forbidden(refusal)
    check_participation(session, actor, now)
    checked = rules.check_answers(queries.question_table(poll), answers)
    given = {k: v for k, v in (demographics or {}).items() if (v or "").strip()}
    kept: dict[str, str] | None = None
    if given:
        if not consent:
            raise ValidationError("poll_consent_required")
        if notice_version != poll.notice_version:
            raise ValidationError("poll_notice_changed")
        if poll.purged_at is not None:
            raise Conflict("poll_purged")
        categories = rules.categories_of(queries.margins_of(session, poll.consultation_id))
        # Each background question is optional on its own: keep those answered (weighting
        # uses the respondents who answered all of them).
        asked = {c: features for c, features in categories.items() if c in given}
        kept = check_attributes(given, asked, code="poll_feature_unknown") or None
    row = queries.response_of(session, poll, actor)
    created = row is None
    if row is None:
        row = PollResponse(poll_id=poll.id, user_id=actor.id, created_at=now)
        _fill(row, checked, kept, poll, now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            raise Conflict("poll_answered_concurrently") from None
    else:
        _fill(row, checked, kept, poll, now)
    session.flush()
    return row, created


def _fill(
    row: PollResponse,
    answers: dict[str, list[int]],
    demographics: dict[str, str] | None,
    poll: Poll,
    now: datetime,
) -> None:
    row.answers = answers
    row.demographics = demographics
    row.notice_version = poll.notice_version if demographics else None
    row.consented_at = now if demographics else None
    row.updated_at = now


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Erase the demographic answers of every poll whose retention date has passed; returns how
    many responses lost them. The answers to the questions stay."""
    now = now or utcnow()
    erased = 0
    for poll in session.scalars(select(Poll).where(Poll.purged_at.is_(None))):
        if not is_expired(poll.retain_until, now):
            continue
        for row in session.scalars(
            select(PollResponse).where(
                PollResponse.poll_id == poll.id, PollResponse.demographics.is_not(None)
            )
        ):
            row.demographics = None
            erased += 1
        poll.purged_at = now
    session.flush()
    return erased
