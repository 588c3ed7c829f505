"""Outcome-section scenes: a plan with one consultation whose comments are visible, hidden,
pending and imported, an analysis run with themes and groups, and responses (one draft).
Rows are created directly with small factories, independent of the plans and analysis areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.extensions import db
from deliberation.models import (
    AnalysisRun,
    Comment,
    Consultation,
    Flag,
    ModerationAction,
    Plan,
    PlanAgency,
    PlanConsultation,
    Theme,
    ThemeMember,
    ThemeResponse,
    User,
    utcnow,
)
from deliberation.sanitize import render_markdown
from deliberation.services import comments
from deliberation.services.analysis_runs import input_fingerprint

from ..conftest import general_thread, make_agency, make_comment, make_consultation, make_user

HIDDEN_TEXT = "HIDDENSECRET 這則已被隱藏"
PENDING_TEXT = "PENDINGSECRET 這則待審核"


def make_plan(
    lead, consultations: list[Consultation] = (), *, co=(), title="數位治理中程個案計畫", changes=""
) -> Plan:  # type: ignore[no-untyped-def]
    plan = Plan(
        title=title,
        lead_agency_id=lead.id,
        changes=changes,
        changes_html=render_markdown(changes) if changes else "",
    )
    db.session.add(plan)
    db.session.flush()
    for c in consultations:
        db.session.add(PlanConsultation(plan_id=plan.id, consultation_id=c.id))
    for agency in co:
        db.session.add(PlanAgency(plan_id=plan.id, agency_id=agency.id))
    db.session.commit()
    db.session.expire(plan)
    return plan


def vote(comment: Comment, user: User, value: int) -> None:
    comments.cast_vote(db.session, comment.id, actor=user, value=value)
    db.session.commit()


def hide(comment: Comment, moderator: User) -> None:
    comment.status = "hidden"
    db.session.add(
        ModerationAction(
            actor_id=moderator.id,
            action="hide",
            target_type="comment",
            target_id=comment.id,
            comment_id=comment.id,
            thread_id=comment.thread_id,
            consultation_id=comment.thread.consultation_id,
            reason="harassment",
            before_status="visible",
            after_status="hidden",
        )
    )
    db.session.commit()


def imported(thread, platform: str, body: str, n: int) -> Comment:  # type: ignore[no-untyped-def]
    author = make_user(name=f"{platform}網友{n}")
    author.origin = platform
    comment = make_comment(thread, author, body=body)
    comment.origin_platform = platform
    comment.origin_url = f"https://{platform}.example/{n}"
    comment.origin_posted_at = utcnow() - timedelta(days=2)
    db.session.commit()
    return comment


def make_run(consultation: Consultation, themes: list[dict], *, groups=None) -> AnalysisRun:  # type: ignore[no-untyped-def]
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="done",
        progress=100,
        params={"n_themes": len(themes)},
        code_version="0.1.0+test",
        input_counts={"comments": 6, "participants": 5, "votes": 3, "excluded": 2},
        input_fingerprint=input_fingerprint(db.session, consultation.id),
        groups=groups,
        started_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    for position, spec in enumerate(themes):
        theme = Theme(
            run_id=run.id,
            key=spec["key"],
            position=position,
            label=spec["label"],
            keywords=spec.get("keywords", []),
            size=len(spec["members"]),
            stance={"agree": 99, "disagree": 99, "pass": 99},  # stale numbers: must be recomputed
            representative_ids=[c.id for c in spec.get("representative", [])],
            pinned_ids=[c.id for c in spec.get("pinned", [])],
            discarded=spec.get("discarded", False),
        )
        db.session.add(theme)
        db.session.flush()
        for member in spec["members"]:
            db.session.add(ThemeMember(run_id=run.id, theme_id=theme.id, comment_id=member.id))
    db.session.commit()
    return run


def respond(consultation, key, disposition, reasoning, *, published=True, unit="", due=None):  # type: ignore[no-untyped-def]
    row = ThemeResponse(
        consultation_id=consultation.id,
        theme_key=key,
        disposition=disposition,
        reasoning=reasoning,
        reasoning_html=render_markdown(reasoning),
        responsible_unit=unit,
        due_date=due,
        published_at=utcnow() if published else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


@dataclass
class Scene:
    plan: Plan
    consultation: Consultation
    run: AnalysisRun
    lead_staff: User
    co_staff: User
    other_staff: User
    reviewer: User
    admin: User
    citizen: User
    c: dict[str, Comment]


@pytest.fixture
def scene(session) -> Scene:
    ndc = make_agency("NDC", "國家發展委員會")
    moe = make_agency("MOE", "教育部")
    other = make_agency("MOI", "內政部")
    lead_staff = make_user("staff", agency=ndc, name="國發會承辦人")
    consultation = make_consultation(
        staff=lead_staff,
        title="數位治理草案諮詢",
        opens_at=utcnow() - timedelta(days=10),
        closes_at=utcnow() + timedelta(days=20),
    )
    thread = general_thread(consultation)
    moderator = make_user("moderator")
    people = [make_user(name=f"市民{i}") for i in range(4)]
    c: dict[str, Comment] = {}
    c["subsidy"] = make_comment(thread, people[0], body="支持提高**補助**金額，減輕家庭負擔")
    c["reply"] = make_comment(thread, people[1], body="同意，補助應涵蓋偏鄉", parent=c["subsidy"])
    c["charging"] = make_comment(thread, people[2], body="充電站數量不足，應優先設置")
    c["hidden"] = make_comment(thread, people[3], body=HIDDEN_TEXT)
    c["pending"] = make_comment(thread, people[3], body=PENDING_TEXT)
    c["ptt1"] = imported(thread, "ptt", "PTT 網友認為充電站要更多", 1)
    c["ptt2"] = imported(thread, "ptt", "PTT 另一位網友也同意", 2)
    c["dcard"] = imported(thread, "dcard", "Dcard 同學覺得補助太少", 3)
    voter_a, voter_b = make_user(name="投票者甲"), make_user(name="投票者乙")
    vote(c["subsidy"], voter_a, 1)
    vote(c["subsidy"], voter_b, -1)
    vote(c["charging"], voter_a, 0)
    vote(c["hidden"], voter_b, 1)  # before it was hidden: must not count anywhere
    db.session.add(Flag(comment_id=c["hidden"].id, user_id=voter_a.id, reason="harassment"))
    db.session.commit()
    hide(c["hidden"], moderator)
    c["pending"].status = "pending"
    db.session.commit()

    run = make_run(
        consultation,
        [
            {
                "key": "T1",
                "label": "提高補助金額",
                "keywords": ["補助", "金額"],
                "members": [c["subsidy"], c["reply"], c["hidden"], c["pending"], c["dcard"]],
                "representative": [c["hidden"], c["subsidy"], c["dcard"]],
                "pinned": [c["pending"], c["reply"]],
            },
            {
                "key": "T2",
                "label": "充電站設置",
                "keywords": ["充電站"],
                "members": [c["charging"], c["ptt1"]],
                "representative": [c["charging"], c["ptt1"]],
            },
            {
                "key": "T3",
                "label": "雜訊",
                "members": [c["ptt2"]],
                "representative": [c["ptt2"]],
                "discarded": True,
            },
        ],
        groups={
            "groups": [
                {
                    "id": 0,
                    "size": 2,
                    "representative": [
                        {"comment_id": c["subsidy"].id, "repful_for": "agree"},
                        {"comment_id": c["hidden"].id, "repful_for": "agree"},
                    ],
                },
                {"id": 1, "size": 1, "representative": [{"comment_id": c["charging"].id}]},
            ],
            "consensus": [
                {"comment_id": c["charging"].id, "direction": "agree"},
                {"comment_id": c["pending"].id, "direction": "agree"},
            ],
        },
    )
    respond(consultation, "T1", "adopted", "將補助金額由 3,000 元提高為 5,000 元。", unit="綜規處")
    respond(
        consultation,
        "T2",
        "under_study",
        "DRAFTREASON 與經濟部研議充電站布建。",
        published=False,
        unit="產業處",
        due=utcnow() + timedelta(days=90),
    )
    plan = make_plan(
        ndc, [consultation], co=[moe], changes="- 補助金額提高至 5,000 元\n- 新增偏鄉加碼"
    )
    return Scene(
        plan=plan,
        consultation=consultation,
        run=run,
        lead_staff=lead_staff,
        co_staff=make_user("staff", agency=moe, name="教育部承辦人"),
        other_staff=make_user("staff", agency=other, name="內政部承辦人"),
        reviewer=make_user("reviewer", name="審查委員"),
        admin=make_user("admin", name="管理員"),
        citizen=make_user(name="路人"),
        c=c,
    )
