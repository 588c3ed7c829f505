"""Factories for the plans tests: analysis snapshots made directly (the runner is another area's
work), a consultation with comments in themes, and a plan linking it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from app.extensions import db
from deliberation.models import (
    AnalysisRun,
    Comment,
    Consultation,
    Plan,
    Theme,
    ThemeMember,
    ThemeResponse,
    User,
    utcnow,
)
from deliberation.services.analysis_runs import input_fingerprint
from tests.factories import (
    save,
)


def make_run(
    consultation: Consultation,
    themes: list[tuple[str, str, list[Comment]]],
    *,
    status: str = "done",
    fingerprint: str | None = None,
) -> AnalysisRun:
    """A finished analysis snapshot with these themes (key, label, member comments)."""
    run = AnalysisRun(
        consultation_id=consultation.id,
        status=status,
        progress=100 if status == "done" else 0,
        input_fingerprint=fingerprint
        if fingerprint is not None
        else input_fingerprint(db.session, consultation.id),
        started_at=utcnow(),
        finished_at=utcnow() if status == "done" else None,
    )
    db.session.add(run)
    db.session.flush()
    for position, (key, label, members) in enumerate(themes):
        theme = Theme(
            run_id=run.id,
            key=key,
            position=position,
            label=label,
            keywords=[label],
            size=len(members),
            stance={"agree": 3, "disagree": 1, "pass": 0},
            representative_ids=[c.id for c in members],
        )
        db.session.add(theme)
        db.session.flush()
        for c in members:
            db.session.add(
                ThemeMember(run_id=run.id, theme_id=theme.id, comment_id=c.id, weight=1.0)
            )
    save()
    return run


def set_status(comment: Comment, status: str) -> None:
    comment.status = status
    save()


@dataclass
class World:
    """A closed consultation of agency MOT with two themes, a plan linking it, and the people."""

    lead: User
    co: User
    other: User
    reviewer: User
    citizen: User
    admin: User
    consultation: Consultation
    plan: Plan
    run: AnalysisRun
    comments: dict[str, list[Comment]] = field(default_factory=dict)
    authors: list[User] = field(default_factory=list)


def respond(
    world: World,
    key: str,
    *,
    disposition: str = "adopted",
    reasoning: str = "將納入計畫",
    due_in_days: float | None = None,
    published: bool = False,
) -> ThemeResponse:
    """A response row made directly (for checklist tests)."""
    r = ThemeResponse(
        consultation_id=world.consultation.id,
        theme_key=key,
        disposition=disposition,
        reasoning=reasoning,
        reasoning_html=f"<p>{reasoning}</p>" if reasoning else "",
        responsible_unit="公路局",
        due_date=utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None,
        published_at=utcnow() if published else None,
        published_label=key,
    )
    db.session.add(r)
    save()
    return r


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
