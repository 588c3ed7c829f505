"""Factories for the plans tests: analysis snapshots made directly (the runner is another area's
work), a consultation with comments in themes, and a plan linking it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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
from deliberation.services import plans
from deliberation.services.analysis_runs import input_fingerprint
from tests.factories import (
    general_thread,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
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


def make_world() -> World:
    """The scene of the `world` fixture (made in the test's session)."""
    mot = make_agency("MOT", "交通部")
    make_agency("EPA", "環境部")
    make_agency("MOI", "內政部")
    lead = make_user("staff", agency=mot, name="交通部承辦")
    co = make_user("staff", agency=make_agency("EPA"), name="環境部承辦")
    other = make_user("staff", agency=make_agency("MOI"), name="內政部承辦")
    reviewer = make_user("reviewer", name="國發會審議")
    citizen = make_user("citizen", name="市民甲")
    admin = make_user("admin", name="管理員")
    consultation = make_consultation(staff=lead, status="open", title="電動機車補助草案")
    thread = general_thread(consultation)
    alice = make_user(name="小美")
    bob = make_user(name="阿明")
    a1 = make_comment(thread, alice, "充電站太少，補助應包含充電設施")
    a2 = make_comment(thread, alice, "偏鄉更缺充電站")
    b1 = make_comment(thread, bob, "電池交換站也要補助")
    b2 = make_comment(thread, bob, "補助金額應提高到三萬")
    consultation.status = "closed"
    save()
    run = make_run(consultation, [("T1", "充電設施", [a1, a2, b1]), ("T2", "補助金額", [b2])])
    plan = plans.create_plan(
        db.session,
        actor=lead,
        title="電動機車推廣計畫",
        summary="推廣電動機車",
        changes="依諮詢意見，補助範圍納入充電設施。",
        period_start=datetime(2026, 1, 1, tzinfo=UTC),
        period_end=datetime(2029, 12, 31, tzinfo=UTC),
        consultation_ids=[consultation.id],
        co_agency_codes=["EPA"],
    )
    save()
    return World(
        lead=lead,
        co=co,
        other=other,
        reviewer=reviewer,
        citizen=citizen,
        admin=admin,
        consultation=consultation,
        plan=plan,
        run=run,
        comments={"T1": [a1, a2, b1], "T2": [b2]},
        authors=[alice, bob],
    )


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
