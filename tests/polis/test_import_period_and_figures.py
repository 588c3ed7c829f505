"""An imported Polis conversation (issue 15): its period comes from the data, its participants
are counted apart from people here, and its source is written as people write it (Pol.is)."""

from __future__ import annotations

from app.extensions import db
from deliberation import participation
from deliberation.models import Comment, Consultation, Thread, Vote
from deliberation.outcome import build_section
from tests.factories import login, make_agency, make_user

from ..outcome.helpers import make_plan
from .helpers import LONDON, import_cli


def test_the_period_is_the_first_to_last_comment_or_vote(runner):
    result = import_cli(runner, LONDON)
    assert result.exit_code == 0, result.output
    consultation = db.session.get(Consultation, int(result.stdout.strip()))
    times = [
        t
        for (t,) in db.session.query(Comment.created_at)
        .join(Thread)
        .filter(Thread.consultation_id == consultation.id)
    ]
    times += [
        t
        for (t,) in db.session.query(Vote.created_at)
        .join(Comment)
        .join(Thread)
        .filter(Thread.consultation_id == consultation.id)
    ]
    assert consultation.opens_at == min(times)
    assert consultation.closes_at is not None and consultation.closes_at >= max(times)


def test_the_outcome_section_shows_the_period_pol_is_and_people_counted_apart(runner):
    result = import_cli(runner, LONDON)
    consultation = db.session.get(Consultation, int(result.stdout.strip()))
    plan = make_plan(make_agency("IMPORT", "匯入"), [consultation])
    section = build_section(db.session, plan.id, actor=None, trusted=True)
    (c,) = section.consultations
    assert c.period and "年" in c.period and "—" not in c.period  # 民國 dates, not a dash
    assert [p.platform_label for p in c.imported] == ["Pol.is"]
    assert "Pol.is" in c.channels[1].label and "polis" not in c.channels[1].label
    figures = participation.figures(db.session, [consultation.id])
    assert figures["participation_people"] == 0  # nobody took part here
    assert figures["participation_imported_participants"] > 0
    assert figures["participation_imported_votes"] > 0 and figures["participation_votes"] == 0
    assert section.participation["participation_people"] == 0


def test_the_participation_page_names_pol_is(runner, client):
    result = import_cli(runner, LONDON)
    consultation = db.session.get(Consultation, int(result.stdout.strip()))
    login(client, make_user("admin"))
    page = client.get(f"/staff/consultations/{consultation.id}/participation?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Imported from Pol.is" in html
