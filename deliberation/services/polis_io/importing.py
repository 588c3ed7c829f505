"""Writing a checked Polis conversation as a new closed consultation: one general thread, the
authors and voters as pseudonymous participants, the comments in timestamp order (seq 1..n),
the latest vote per participant and comment, in bulk; Polis's moderation carried over with a
log row for each comment it hid or never accepted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...errors import Conflict, NotAuthenticated, NotFound, ValidationError
from ...models import (
    Agency,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Role,
    Thread,
    ThreadEvent,
    User,
    Vote,
    utcnow,
)
from ...polis_rules import import_refusal
from ...sanitize import clean_line, plain_text, render_markdown
from .. import accounts, moderation
from ..comment_rows import tokenizer
from .formats import (
    HIDDEN_NOTE,
    IMPORT_AGENCY,
    IMPORT_AGENCY_NAME,
    PENDING_NOTE,
    PLATFORM,
    STATUS_OF,
    UNUSABLE_PASSWORD,
    bulk_insert,
    chunks,
    participant_email,
    refuse,
)
from .reading import PolisInput


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (counts as a user would check them against the CSVs)."""

    consultation_id: int
    thread_id: int
    slug: str
    comments: int
    visible: int
    pending: int
    hidden: int
    participants: int
    new_participants: int
    vote_rows: int
    votes: int
    skipped_votes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "consultation_id": self.consultation_id,
            "thread_id": self.thread_id,
            "slug": self.slug,
            "comments": self.comments,
            "visible": self.visible,
            "pending": self.pending,
            "hidden": self.hidden,
            "participants": self.participants,
            "new_participants": self.new_participants,
            "vote_rows": self.vote_rows,
            "votes": self.votes,
            "skipped_votes": self.skipped_votes,
        }


def import_polis(
    session: Session,
    data: PolisInput,
    *,
    actor: User | None,
    title: str | None = None,
    agency_code: str | None = None,
    operator: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Write a checked conversation as a new closed consultation; flushes, the caller commits.

    `operator` is the command line (whoever runs it runs the server): no permission check.
    Otherwise admins import into any agency and staff into their own. The agency defaults to
    the staff member's own, else IMPORT (created when first needed).
    """
    now = now or utcnow()
    if not operator and actor is None:
        raise NotAuthenticated("not_authenticated")
    code = clean_line(agency_code or "").upper()
    if not code:
        own = actor.agency if actor is not None and actor.role == Role.STAFF else None
        code = own.code if own is not None else IMPORT_AGENCY
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None and code != IMPORT_AGENCY:
        raise NotFound("polis_agency_not_found", agency=code)
    if not operator:
        refuse(import_refusal(actor, agency.id if agency is not None else None))
    heading = clean_line(title or "") or data.topic or data.slug
    if len(heading) > 200:
        raise ValidationError("title_too_long", field="title", max=200)
    earlier = session.scalar(
        select(Thread.consultation_id)
        .join(Comment, Comment.thread_id == Thread.id)
        .where(
            Comment.origin_platform == PLATFORM,
            Comment.origin_url.startswith(f"polis:{data.slug}#", autoescape=True),
        )
        .limit(1)
    )
    if earlier is not None:
        raise Conflict("polis_already_imported", slug=data.slug, consultation_id=earlier)
    if agency is None:
        agency = accounts.get_or_create_agency(session, IMPORT_AGENCY, IMPORT_AGENCY_NAME)

    importer_id = actor.id if actor is not None else None
    consultation = _new_consultation(session, data, agency, heading, importer_id, now)
    thread = Thread(consultation_id=consultation.id, created_at=now)
    session.add(thread)
    session.flush()

    user_ids, new_users = _participants(session, data, now)
    comment_ids = _insert_comments(session, data, thread, user_ids, importer_id)
    _insert_votes(session, data, comment_ids, user_ids)
    n = len(data.comments)
    bulk_insert(
        session,
        ThreadEvent,
        [
            {
                "thread_id": thread.id,
                "seq": seq,
                "type": "comment_created",
                "comment_id": comment_ids[c.id],
                "created_at": now,
            }
            for seq, c in enumerate(data.comments, start=1)
        ],
    )
    thread.last_comment_seq = n
    thread.last_event_seq = n
    _log_moderation(session, thread, now)
    session.flush()
    statuses = Counter(STATUS_OF[c.moderated] for c in data.comments)
    return ImportResult(
        consultation_id=consultation.id,
        thread_id=thread.id,
        slug=data.slug,
        comments=n,
        visible=statuses[CommentStatus.VISIBLE.value],
        pending=statuses[CommentStatus.PENDING.value],
        hidden=statuses[CommentStatus.HIDDEN.value],
        participants=len(user_ids),
        new_participants=new_users,
        vote_rows=data.vote_rows,
        votes=len(data.votes),
        skipped_votes=data.skipped_votes,
    )


def _new_consultation(
    session: Session,
    data: PolisInput,
    agency: Agency,
    title: str,
    importer_id: int | None,
    now: datetime,
) -> Consultation:
    source = data.url or data.slug
    body = (
        f"匯入自 Polis 對話 {source}；參與者以化名呈現，留言與投票保留原始時間。\n\n"
        f"Imported from the Polis conversation {source}; participants are pseudonymous, "
        "comments and votes keep their original times."
    )
    if data.description:
        body = f"{data.description}\n\n{body}"
    # The conversation's own period (first to last comment or vote), so every page and the
    # outcome section show when it ran (諮詢期間) instead of a dash.
    times = [c.posted_at for c in data.comments] + [v.first_at for v in data.votes]
    times += [v.last_at for v in data.votes]
    consultation = Consultation(
        agency_id=agency.id,
        title=title,
        summary=plain_text(render_markdown(data.description))[:2000],
        body=body,
        body_html=render_markdown(body),
        status=ConsultationStatus.CLOSED.value,
        opens_at=min(times) if times else None,
        closes_at=max(times) if times and max(times) > min(times) else None,
        created_by_id=importer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(consultation)
    session.flush()
    return consultation


def _participants(session: Session, data: PolisInput, now: datetime) -> tuple[dict[int, int], int]:
    """Polis participant id -> our user id, creating the pseudonymous accounts not there yet."""
    emails = {participant_email(data.slug, pid): pid for pid in data.participants}
    found: dict[int, int] = {}

    def lookup(addresses: Sequence[str]) -> None:
        for chunk in chunks(addresses):
            for email, uid in session.execute(
                select(User.email, User.id).where(User.email.in_(chunk))
            ):
                found[emails[email]] = uid

    lookup(list(emails))
    missing = [email for email, pid in emails.items() if pid not in found]
    if missing:
        bulk_insert(
            session,
            User,
            [
                {
                    "email": email,
                    "display_name": f"Polis 參與者 {emails[email]}",
                    "password_hash": UNUSABLE_PASSWORD,
                    "role": Role.CITIZEN.value,
                    "origin": PLATFORM,
                    "is_active": True,
                    "created_at": now,
                }
                for email in missing
            ],
        )
        lookup(missing)
    return found, len(missing)


def _insert_comments(
    session: Session,
    data: PolisInput,
    thread: Thread,
    user_ids: dict[int, int],
    importer_id: int | None,
) -> dict[int, int]:
    """Bulk-insert the comments with seq 1..n; returns Polis comment id -> our id."""
    tally: dict[int, Counter[int]] = {}
    for v in data.votes:
        tally.setdefault(v.comment, Counter())[v.value] += 1
    tokenize = tokenizer()
    rows = []
    for seq, c in enumerate(data.comments, start=1):
        counts = tally.get(c.id, Counter())
        status = STATUS_OF[c.moderated]
        rows.append(
            {
                "thread_id": thread.id,
                "author_id": user_ids[c.author],
                "depth": 0,
                "seq": seq,
                "body": c.body,
                "html": render_markdown(c.body) if c.body else "",
                "tokens": " ".join(tokenize(c.body)) if tokenize is not None else None,
                "status": status,
                "held_by": "premoderation" if status == CommentStatus.PENDING.value else None,
                "version": 1,
                "created_at": c.posted_at,
                "agree_count": counts[1],
                "disagree_count": counts[-1],
                "pass_count": counts[0],
                "origin_platform": PLATFORM,
                "origin_url": f"polis:{data.slug}#{c.id}",
                "origin_posted_at": c.posted_at,
                "imported_by_id": importer_id,
            }
        )
    bulk_insert(session, Comment, rows)
    # Every imported comment is top-level: its own root.
    session.execute(
        update(Comment)
        .where(Comment.thread_id == thread.id)
        .values(root_id=Comment.id)
        .execution_options(synchronize_session=False)
    )
    ids: dict[int, int] = {}
    for origin, cid in session.execute(
        select(Comment.origin_url, Comment.id).where(Comment.thread_id == thread.id)
    ):
        ids[int((origin or "").rpartition("#")[2])] = cid
    return ids


def _insert_votes(
    session: Session, data: PolisInput, comment_ids: dict[int, int], user_ids: dict[int, int]
) -> None:
    rows = [
        {
            "comment_id": comment_ids[v.comment],
            "user_id": user_ids[v.voter],
            "value": v.value,
            "created_at": v.first_at,
            "updated_at": v.last_at,
        }
        for v in data.votes
    ]
    bulk_insert(session, Vote, rows)


def _log_moderation(session: Session, thread: Thread, now: datetime) -> None:
    """One automatic log row per comment Polis hid or never accepted, so the transparency page
    counts them like any other moderation."""
    held = session.scalars(
        select(Comment)
        .where(
            Comment.thread_id == thread.id,
            Comment.status != CommentStatus.VISIBLE.value,
        )
        .order_by(Comment.seq)
    )
    for comment in held:
        hidden = comment.status == CommentStatus.HIDDEN.value
        moderation.log_action(
            session,
            actor=None,
            action="hide" if hidden else "hold",
            target_type="comment",
            target_id=comment.id,
            comment=comment,
            thread=thread,
            reason="other" if hidden else "",
            rule="polis" if hidden else "premoderation",
            note=HIDDEN_NOTE if hidden else PENDING_NOTE,
            before="",
            after=comment.status,
            now=now,
        )
