"""Reads of quick polls: the poll, its questions, the margins, one account's response, all of
the responses (as plain tuples, so a poll of 100,000 reads quickly)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import User
from .models import Poll, PollResponse, PopulationMargin
from .rules import Margin


def poll_of(session: Session, consultation_id: int) -> Poll | None:
    return session.scalar(select(Poll).where(Poll.consultation_id == consultation_id))


def require_poll(session: Session, consultation_id: int) -> Poll:
    poll = poll_of(session, consultation_id)
    if poll is None:
        raise NotFound("poll_not_found")
    return poll


def question_table(poll: Poll) -> list[tuple[int, str, list[str]]]:
    """(id, kind, options) of each question in order: what `rules.check_answers` takes."""
    return [(q.id, q.kind, list(q.options)) for q in poll.questions]


def margin_rows(session: Session, consultation_id: int) -> list[PopulationMargin]:
    return list(
        session.scalars(
            select(PopulationMargin)
            .where(PopulationMargin.consultation_id == consultation_id)
            .order_by(PopulationMargin.position, PopulationMargin.id)
        )
    )


def margins_of(session: Session, consultation_id: int) -> list[Margin]:
    return [Margin(m.category, m.feature, m.share) for m in margin_rows(session, consultation_id)]


def margins_source(session: Session, consultation_id: int) -> str:
    rows = margin_rows(session, consultation_id)
    return rows[0].source if rows else ""


def response_of(session: Session, poll: Poll, user: User | None) -> PollResponse | None:
    if user is None:
        return None
    return session.scalar(
        select(PollResponse).where(PollResponse.poll_id == poll.id, PollResponse.user_id == user.id)
    )


def response_count(session: Session, poll: Poll) -> int:
    return (
        session.scalar(select(func.count(PollResponse.id)).where(PollResponse.poll_id == poll.id))
        or 0
    )


def with_demographics(session: Session, poll: Poll) -> int:
    """How many responses carry consented demographic answers."""
    return (
        session.scalar(
            select(func.count(PollResponse.id)).where(
                PollResponse.poll_id == poll.id, PollResponse.demographics.is_not(None)
            )
        )
        or 0
    )


def answer_rows(
    session: Session, poll: Poll
) -> list[tuple[int, dict[str, Any], dict[str, str] | None]]:
    """(user id, answers, demographics) of every response, in the order they came."""
    rows = session.execute(
        select(PollResponse.user_id, PollResponse.answers, PollResponse.demographics)
        .where(PollResponse.poll_id == poll.id)
        .order_by(PollResponse.id)
    ).all()
    return [(r.user_id, r.answers, r.demographics) for r in rows]
