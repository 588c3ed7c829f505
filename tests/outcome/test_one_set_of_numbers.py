"""One definition of every participation figure (issue 15): the outcome section, its DOCX and
JSON, the analysis workspace, the participation page and the API all show the numbers of
deliberation/participation.py for the same consultation."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from docx import Document

from app.extensions import db
from deliberation import participation
from deliberation.models import Vote
from tests.factories import login

from .helpers import vote

ROW = re.compile(
    r'<tr data-figure="(participation_\w+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td>'
)

# The scene: three people commented here (a fourth only wrote a hidden and a pending comment),
# two others voted; three posts came from PTT and Dcard by three pseudonymous authors.
EXPECTED = {
    "participation_people": 5,
    "participation_commenters": 3,
    "participation_voters": 2,
    "participation_commented_and_voted": 0,
    "participation_comments": 2,
    "participation_replies": 1,
    "participation_votes": 3,
    "participation_imported_comments": 3,
    "participation_imported_participants": 3,
    "participation_imported_votes": 0,
    "participation_comments_visible": 6,
    "participation_comments_pending": 1,
    "participation_comments_hidden": 1,
    "participation_flags": 1,
    "participation_moderator_hidden": 1,
}


def _rows(html: str) -> dict[str, int]:
    return {key: int(value) for key, value in ROW.findall(html)}


def test_the_figures_follow_their_definitions(scene):
    values = participation.figures(db.session, [scene.consultation.id]).values
    assert {k: values[k] for k in EXPECTED} == EXPECTED
    assert values["participation_returning"] == 0  # everyone took part on one day only


def test_every_surface_shows_the_same_numbers(client, scene):
    cid, pid = scene.consultation.id, scene.plan.id
    truth = participation.figures(db.session, [cid]).values
    login(client, scene.lead_staff)

    api = client.get(f"/api/v1/plans/{pid}/outcome").get_json()
    assert {k: api["participation"][k] for k in truth} == truth
    assert {k: api["consultations"][0]["participation"][k] for k in truth} == truth
    assert {f["key"]: f["value"] for f in api["totals"]} == truth
    assert {d["key"] for d in api["participation_dictionary"]} == set(truth)

    page = client.get(f"/plans/{pid}/outcome").get_data(as_text=True)
    assert _rows(page) == truth

    doc = Document(io.BytesIO(client.get(f"/plans/{pid}/outcome.docx").data))
    labels = {participation.label(k, "zh-TW"): k for k in truth}
    in_docx = {
        labels[row.cells[0].text]: int(row.cells[1].text)
        for table in doc.tables
        for row in table.rows
        if row.cells[0].text in labels
    }
    assert in_docx == truth

    scene.run.groups = {}  # the scene's hand-made groups lack what the workspace draws
    db.session.commit()
    workspace = client.get(f"/staff/consultations/{cid}/themes").get_data(as_text=True)
    shown = _rows(workspace)
    assert shown and all(truth[k] == v for k, v in shown.items())
    assert shown["participation_people"] == 5 and shown["participation_imported_participants"] == 3

    page = client.get(f"/staff/consultations/{cid}/participation").get_data(as_text=True)
    assert _rows(page) == truth
    # the stickiness block counts people the same way (no imported voter, no vote change)
    assert 'data-measure="returning">0 / 5 (0%)' in page

    data = client.get(f"/api/v1/consultations/{cid}/participation").get_json()
    assert {k: data["participation"][k] for k in truth} == truth
    assert data["here"]["voters"] == truth["participation_voters"]


def test_imported_voters_are_never_people_here_and_returning_needs_two_days(scene):
    polis_voter = scene.citizen
    polis_voter.origin = "polis"
    db.session.commit()
    vote(scene.c["charging"], polis_voter, 1)
    values = participation.figures(db.session, [scene.consultation.id]).values
    assert values["participation_people"] == 5  # unchanged
    assert values["participation_imported_participants"] == 4
    assert values["participation_imported_votes"] == 1
    # a voter who comes back the next day (within the consultation period) is returning
    row = db.session.query(Vote).filter_by(comment_id=scene.c["subsidy"].id).first()
    row.created_at = row.created_at - timedelta(days=1)
    db.session.commit()
    figures = participation.figures(db.session, [scene.consultation.id])
    assert figures["participation_returning"] == 1
    assert figures.returning_window[0] is not None  # the window is stated
