"""A small poll and margins shared by the poll tests."""

from __future__ import annotations

from app.extensions import db
from deliberation.polls import operations, rules

MARGINS_CSV = """category,feature,percent
age,18-39,40
age,40+,60
gender,女,50
gender,男,50
"""

QUESTIONS = [
    {"kind": "single", "prompt": "Do you support the draft?", "options": ["Yes", "No"]},
    {"kind": "multi", "prompt": "Which parts matter?", "options": ["Roads", "Buses", "Bikes"]},
    {"kind": "scale", "prompt": "How urgent is it?"},
]


def make_poll(consultation, staff, *, margins: str = MARGINS_CSV):
    """The consultation's poll with three questions and the margins above."""
    poll = operations.save_poll(
        db.session, consultation, actor=staff, title="Quick poll on the draft", questions=QUESTIONS
    )
    if margins:
        operations.set_margins(db.session, consultation, rules.parse_margins(margins), actor=staff)
    db.session.commit()
    return poll


def answer(poll, user, yes: bool = True, age: str | None = "40+", gender: str | None = "女"):
    """`user` answers: Yes/No, Roads, 4; with background answers when age and gender are given."""
    q = poll.questions
    demographics = {"age": age, "gender": gender} if age and gender else {}
    row, created = operations.answer(
        db.session,
        poll,
        actor=user,
        answers={str(q[0].id): 0 if yes else 1, str(q[1].id): [0], str(q[2].id): 3},
        demographics=demographics,
        consent=bool(demographics),
        notice_version=poll.notice_version,
    )
    db.session.commit()
    return row, created
