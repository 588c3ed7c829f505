"""The demo: the NDC draft 強化政府治理效能實施要點（草案） as a living consultation.

The sections are the draft's own text (app/demo/seed-governance-draft.zh-TW.txt, a public
government document); the accounts and comments are invented for the demo.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from deliberation.models import Consultation, User, utcnow
from deliberation.services import accounts, comments, consultations
from deliberation.services.consultations import SectionInput

from . import moderation, outcome, polls
from .content import ACCOUNTS, DISCUSSION, INTRO, SECOND, SECTIONS, SUMMARY, TITLE

DEMO_PASSWORD = "demo-password"


def _user(session: Session, spec: dict) -> User:
    found = session.scalar(select(User).where(User.email == spec["email"]))
    if found is not None:
        return found
    agency = (
        accounts.get_or_create_agency(session, spec["agency"], spec.get("agency_name"))
        if spec.get("agency")
        else None
    )
    return accounts.create_user(
        session,
        email=spec["email"],
        display_name=spec["name"],
        password=DEMO_PASSWORD,
        role=spec["role"],
        agency=agency,
    )


def load(session: Session, *, force: bool = False) -> bool:
    """Create the demo unless it is already there. Returns whether anything was created."""
    if not force and session.scalar(select(Consultation.id).where(Consultation.title == TITLE)):
        return False
    users = {spec["key"]: _user(session, spec) for spec in ACCOUNTS}
    now = utcnow()
    draft = consultations.create_consultation(
        session,
        actor=users["staff"],
        title=TITLE,
        summary=SUMMARY,
        body=INTRO,
        sections=[SectionInput(title=t, body=b) for t, b in SECTIONS],
        status="open",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=27),
    )
    closed = consultations.create_consultation(
        session,
        actor=users["staff2"],
        title=SECOND["title"],
        summary=SECOND["summary"],
        body=SECOND["body"],
        sections=[SectionInput(title=t, body=b) for t, b in SECOND["sections"]],
        status="open",
    )
    session.flush()
    session.refresh(draft)
    session.refresh(closed)
    threads = consultations.ordered_threads(draft)
    posted: dict[str, int] = {}
    start = now - timedelta(days=2, hours=20)
    for i, item in enumerate(DISCUSSION):
        thread = threads[item["thread"]]
        comment = comments.post_comment(
            session,
            thread,
            actor=users[item["by"]],
            body=item["text"],
            parent_id=posted.get(item.get("reply_to", "")),
            now=start + timedelta(minutes=37 * i),
        )
        posted[item["id"]] = comment.id
        for voter, value in item.get("votes", {}).items():
            comments.cast_vote(session, comment.id, actor=users[voter], value=value)
    moderation.load(session, users, threads, consultations.ordered_threads(closed), posted)
    polls.load(session, users, draft)  # a quick poll with margins and a few answers
    consultations.set_status(session, closed, "closed", actor=users["staff2"])
    outcome.load(session, users)  # a closed consultation with 220 comments and a draft plan
    return True
