"""The command line: accounts, tokens and the demo."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import Comment, Consultation, Plan, User, Vote
from deliberation.services.moderation import visible_comments_for_analysis


def test_users_create_and_token_then_use_the_token(app, session, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Staff@NDC.gov.tw",
            "--password",
            "long password",
            "--name",
            "林科員",
            "--role",
            "staff",
            "--agency",
            "NDC",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "staff@ndc.gov.tw"))
    assert user.role == "staff" and user.agency.code == "NDC"
    token = runner.invoke(args=["users", "token", "--email", "staff@ndc.gov.tw"]).output.strip()
    r = client.post(
        "/api/v1/consultations",
        json={"title": "由 CLI 帳號建立"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201


def test_users_create_refuses_bad_input_with_a_message(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.tw", "--password", "short", "--name", "甲"]
    )
    assert result.exit_code != 0 and "8" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "y@example.tw",
            "--password",
            "long password",
            "--name",
            "乙",
            "--role",
            "staff",
        ]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_demo_loads_the_governance_draft_once(app, session, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    item = db.session.scalar(
        select(Consultation).where(Consultation.title.contains("強化政府治理效能"))
    )
    assert item.status == "open" and len(item.sections) >= 5
    assert db.session.scalar(select(func.count(Comment.id))) >= 10
    assert db.session.scalar(select(func.count(Vote.id))) >= 20
    roles = set(db.session.scalars(select(User.role)).all())
    assert roles == {"citizen", "moderator", "staff", "reviewer", "admin"}
    again = runner.invoke(args=["demo", "load"])
    assert "already" in again.output
    assert db.session.scalar(select(func.count(Consultation.id))) == 3
    html = client.get(f"/consultations/{item.id}").get_data(as_text=True)
    assert "政策提案座談會" in html


def test_demo_has_a_closed_consultation_and_a_plan_ready_for_the_outcome_loop(app, session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    ev = db.session.scalar(select(Consultation).where(Consultation.title.contains("電動機車")))
    assert ev.status == "closed"
    visible = len(visible_comments_for_analysis(db.session, ev.id))
    assert visible >= 200  # enough for themes; the 6 off-topic ones wait in the queue
    plan = db.session.scalar(select(Plan))
    assert plan.lead_agency.code == "NDC" and [c.id for c in plan.consultations] == [ev.id]


def test_demo_load_starts_the_analysis_of_the_consultation_it_closes(app, session):
    from app.demo.content import SECOND
    from deliberation.models import AnalysisRun

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    closed = db.session.scalar(select(Consultation).where(Consultation.title == SECOND["title"]))
    assert closed.status == "closed"
    runs = db.session.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == closed.id))
    run = runs.one()  # closing queued it; the (eager) job backend ran it after the commit
    assert run.started_by_id is None and run.status not in ("queued", "running")
