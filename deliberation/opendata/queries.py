"""Reads for the open data: the consultations that have a dataset, what changes a dataset (its
fingerprint), and the rows of each file, streamed from the database in batches.

The public-text rule lives here (`comment_rows`): a pending or hidden comment is published as
its id and moderation status only; nobody's e-mail or display name is ever selected; deleted
accounts (inactive registered accounts) are left out of every per-person row.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    AnalysisRun,
    Comment,
    CommentStatus,
    Consultation,
    Theme,
    ThemeMember,
    ThemeResponse,
    Thread,
    User,
    Vote,
)
from ..services import analysis_queries
from ..services.analysis_queries import VoteTotals
from ..services.polis_io.formats import MODERATED_OF, chunks, to_millis
from ..services.polis_io.groups import group_labels as export_groups
from .rules import FINAL, ON_DEMAND

VISIBLE = CommentStatus.VISIBLE.value
BATCH = 5000
_MILLISECOND = timedelta(milliseconds=1)
# A person whose rows are published: an active registered account, or an imported
# pseudonymous participant (inactive by construction, origin set). A deleted account (an
# inactive registered one) appears in no per-person row.
PUBLISHABLE = or_(User.is_active.is_(True), User.origin.is_not(None))


def listed(session: Session) -> list[Consultation]:
    """Consultations with a public dataset: closed and concluded first, then open ones."""
    rows = session.scalars(
        select(Consultation).where(Consultation.status.in_(FINAL + ON_DEMAND))
    ).all()
    return sorted(rows, key=lambda c: (c.status not in FINAL, -(c.id)))


def _in(consultation_id: int) -> Any:
    return and_(Thread.id == Comment.thread_id, Thread.consultation_id == consultation_id)


def fingerprint(
    session: Session,
    consultation: Consultation,
    people: set[int] | None = None,
    summary: VoteSummary | None = None,
) -> tuple[str, datetime]:
    """What the dataset is built from, hashed (any post, vote, moderation, analysis run or
    response changes it), and when the data last changed. `people` and `summary`:
    `participants` and `vote_summary`, when the caller has read them (the build uses them)."""
    if summary is None:
        summary = vote_summary(session, consultation.id)
    if people is None:
        people = participants(session, consultation.id, summary)
    seqs = session.execute(
        select(
            func.coalesce(func.sum(Thread.last_event_seq), 0), func.max(Thread.created_at)
        ).where(Thread.consultation_id == consultation.id)
    ).one()
    resp = session.execute(
        select(func.count(ThemeResponse.id), func.max(ThemeResponse.updated_at)).where(
            ThemeResponse.consultation_id == consultation.id,
            ThemeResponse.published_at.is_not(None),
        )
    ).one()
    last = session.execute(
        select(func.max(Comment.created_at), func.max(Comment.edited_at))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation.id)
    ).one()
    # The thread events cover every change made through the services; the per-status counts
    # also catch a status written any other way (a script, a data fix).
    statuses = session.execute(
        select(Comment.status, func.count(Comment.id))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation.id)
        .group_by(Comment.status)
        .order_by(Comment.status)
    ).all()
    run = analysis_queries.latest_run(session, consultation.id)
    parts = [
        repr([tuple(row) for row in statuses]),
        # who is published: an account deleted since the last build must leave the dataset
        hashlib.sha256(repr(sorted(people)).encode()).hexdigest(),
        consultation.status,
        consultation.title,
        consultation.summary,
        str(consultation.updated_at),
        str(seqs[0]),
        str(resp[0]),
        str(resp[1]),
        str(run.id if run else None),
    ]
    stamps = [
        t
        for t in (
            consultation.updated_at,
            resp[1],
            *last,
            summary.totals.last,
            run.finished_at if run else None,
        )
        if t is not None
    ]
    updated = max(_aware(t) for t in stamps)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16], updated


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class VoteSummary(NamedTuple):
    """One pass over a consultation's votes (`vote_summary`): what the fingerprint, the
    participants, participants-votes.csv and the analysis staleness check need of them."""

    # user id -> (votes, agrees, disagrees) on visible comments, any account
    counts: dict[int, tuple[int, int, int]]
    publishable: set[int]  # voters on visible comments whose rows are published
    totals: VoteTotals  # as the analysis fingerprints them (analysis_queries)


def vote_summary(session: Session, consultation_id: int) -> VoteSummary:
    """Every vote of the consultation read once, grouped per person and whether the comment is
    visible (a few rows per person, not one per vote); the accounts are joined to those rows,
    not to each vote."""
    visible = (Comment.status == VISIBLE).label("visible")
    per_person = (
        select(
            Vote.user_id.label("user_id"),
            visible,
            func.count(Vote.id).label("n"),
            func.sum(case((Vote.value == 1, 1), else_=0)).label("agrees"),
            func.sum(case((Vote.value == -1, 1), else_=0)).label("disagrees"),
            func.sum(Vote.value * Vote.comment_id).label("weighted"),
            func.max(Vote.updated_at).label("newest"),
        )
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, _in(consultation_id))
        .group_by(Vote.user_id, visible)
        .subquery()
    )
    counts: dict[int, tuple[int, int, int]] = {}
    published: set[int] = set()
    count = value_sum = 0
    last: datetime | None = None
    for row in session.execute(
        select(per_person, PUBLISHABLE.label("publishable")).join(
            User, User.id == per_person.c.user_id
        )
    ):
        if last is None or (row.newest is not None and row.newest > last):
            last = row.newest
        if not row.visible:
            continue
        counts[row.user_id] = (int(row.n), int(row.agrees or 0), int(row.disagrees or 0))
        count += int(row.n)
        value_sum += int(row.weighted or 0)
        if row.publishable:
            published.add(row.user_id)
    return VoteSummary(counts, published, VoteTotals(count, value_sum, last))


def participants(
    session: Session, consultation_id: int, summary: VoteSummary | None = None
) -> set[int]:
    """Everyone with a published row: authors of visible comments and voters on them."""
    authors = session.scalars(
        select(Comment.author_id)
        .join(Thread, _in(consultation_id))
        .join(User, User.id == Comment.author_id)
        .where(Comment.status == VISIBLE, PUBLISHABLE)
        .distinct()
    ).all()
    if summary is None:
        summary = vote_summary(session, consultation_id)
    return set(authors) | summary.publishable


def visible_comment_ids(session: Session, consultation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Comment.id)
            .join(Thread, _in(consultation_id))
            .where(Comment.status == VISIBLE)
            .order_by(Comment.id)
        )
    )


def vote_tallies(session: Session, consultation_id: int) -> dict[int, tuple[int, int]]:
    """Comment id -> (agrees, disagrees) from the published votes, so the counts in
    comments.csv add up to votes.csv."""
    out: dict[int, list[int]] = {}
    for cid, value, n in session.execute(
        select(Vote.comment_id, Vote.value, func.count(Vote.id))
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, _in(consultation_id))
        .join(User, User.id == Vote.user_id)
        .where(Comment.status == VISIBLE, PUBLISHABLE, Vote.value != 0)
        .group_by(Vote.comment_id, Vote.value)
    ):
        pair = out.setdefault(cid, [0, 0])
        pair[0 if value == 1 else 1] += n
    return {cid: (a, d) for cid, (a, d) in out.items()}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def polis_datetime(when: datetime) -> str:
    """Polis's datetime ("Sat Dec 05 13:40:00 UTC 2026"), as strftime's %a %b in English,
    built directly: it is written for every one of millions of votes."""
    t = _aware(when).astimezone(UTC)
    return (
        f"{_DAYS[t.weekday()]} {_MONTHS[t.month]} {t.day:02d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} UTC {t.year}"
    )


def _stamp(when: datetime) -> tuple[int, str]:
    """(UNIX milliseconds, Polis datetime) of one moment."""
    aware = _aware(when)
    return (aware - _EPOCH) // _MILLISECOND, polis_datetime(aware)


def comment_rows(
    session: Session, consultation_id: int, pid_of: dict[int, int]
) -> Iterator[list[Any]]:
    """comments.csv rows in comment order; the public-text rule: only a visible comment
    carries its time, author, counts and text; pending and hidden ones carry id and status."""
    tallies = vote_tallies(session, consultation_id)
    stmt = (
        select(
            Comment.id,
            Comment.author_id,
            Comment.body,
            Comment.status,
            Comment.created_at,
            Comment.origin_posted_at,
        )
        .join(Thread, _in(consultation_id))
        .order_by(Comment.id)
        .execution_options(yield_per=BATCH)
    )
    for r in session.execute(stmt):
        moderated = MODERATED_OF.get(r.status, 0)
        if r.status != VISIBLE:
            yield ["", "", r.id, "", "", "", moderated, ""]
            continue
        when = r.origin_posted_at or r.created_at
        agrees, disagrees = tallies.get(r.id, (0, 0))
        author = pid_of.get(r.author_id)  # None: a deleted account
        yield [
            to_millis(_aware(when)),
            polis_datetime(when),
            r.id,
            "" if author is None else author,
            agrees,
            disagrees,
            moderated,
            r.body,
        ]


def vote_rows(
    session: Session, consultation_id: int, pid_of: dict[int, int]
) -> Iterator[list[Any]]:
    """votes.csv rows in time order: votes by published participants on visible comments."""
    stmt = (
        select(Vote.comment_id, Vote.user_id, Vote.value, Vote.updated_at)
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, _in(consultation_id))
        .where(Comment.status == VISIBLE)
        .order_by(Vote.updated_at, Vote.id)
        .execution_options(yield_per=BATCH)
    )
    last: datetime | None = None
    stamp: tuple[int, str] = (0, "")
    for batch in session.connection().execute(stmt).partitions():  # a batch at a time
        for comment_id, user_id, value, updated_at in batch:
            pid = pid_of.get(user_id)
            if pid is None:
                continue
            if updated_at != last:  # votes come in time order: a second's votes share it
                last, stamp = updated_at, _stamp(updated_at)
            yield [stamp[0], stamp[1], comment_id, pid, value]


# votes.csv written by PostgreSQL: the same columns `vote_rows` writes (UNIX milliseconds
# rounded down, the Polis datetime in English, comment id, participant number, value) in the
# same order, as CSV lines (numbers and database-formatted times only: nothing to quote, and
# `concat` writes a NULL as an empty cell, as the CSV writer does) joined into blocks of
# VOTE_BLOCK rows, so Python handles a few hundred strings, not an object per vote (COPY …
# TO STDOUT sends a message per row: measured slower in the process and in wall time).
# The participant numbers come from a temporary table of `pid_of` (the keyed hash is
# computed in Python once per person, never per vote).
VOTE_BLOCK = 10_000
_VOTE_BLOCKS = """
SELECT string_agg(line, '' ORDER BY n) FROM (
    SELECT concat(floor(extract(epoch FROM v.updated_at) * 1000)::bigint, ',',
                  to_char(v.updated_at AT TIME ZONE 'UTC', 'Dy Mon DD HH24:MI:SS "UTC" YYYY'),
                  ',', v.comment_id, ',', p.pid, ',', v.value, E'\\n') AS line,
           row_number() OVER (ORDER BY v.updated_at, v.id) - 1 AS n
    FROM votes v
    JOIN comments c ON c.id = v.comment_id
    JOIN threads t ON t.id = c.thread_id
    JOIN opendata_pids p ON p.user_id = v.user_id
    WHERE t.consultation_id = %(consultation)s AND c.status = 'visible'
) AS numbered
GROUP BY n / %(block)s
ORDER BY n / %(block)s"""


def copies_votes(session: Session) -> bool:
    """Whether votes.csv can be written by the database (PostgreSQL through psycopg)."""
    bind = session.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.driver == "psycopg"


def vote_csv_blocks(
    session: Session, consultation_id: int, pid_of: dict[int, int]
) -> Iterator[bytes]:
    """votes.csv's rows as CSV blocks written by PostgreSQL, in the session's transaction:
    what `vote_rows` gives, without a Python object per vote."""
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS opendata_pids"
            " (user_id integer PRIMARY KEY, pid integer NOT NULL) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE opendata_pids")
        with cur.copy("COPY opendata_pids (user_id, pid) FROM STDIN") as copy:
            for uid, pid in pid_of.items():
                copy.write_row((uid, pid))
        cur.execute("ANALYZE opendata_pids")
        with raw.cursor(name="opendata_votes") as blocks:  # server-side: a few blocks at a time
            blocks.itersize = 4
            blocks.execute(_VOTE_BLOCKS, {"consultation": consultation_id, "block": VOTE_BLOCK})
            for (text,) in blocks:
                yield text.encode("utf-8")
        cur.execute("DROP TABLE opendata_pids")


def participant_rows(
    session: Session,
    consultation_id: int,
    pid_of: dict[int, int],
    groups: dict[int, int],
    columns: Sequence[int],
    counts: dict[int, tuple[int, int, int]],
) -> Iterator[list[Any]]:
    """participants-votes.csv rows in participant-number order. The per-person counts come from
    one grouped query; the vote matrix (one column per comment in `columns`, which may be
    empty for a very large conversation) is read a batch of people at a time, so memory stays
    bounded by the batch, not the conversation. `counts`: `VoteSummary.counts`."""
    authored = Counter(
        dict(
            session.execute(
                select(Comment.author_id, func.count(Comment.id))
                .join(Thread, _in(consultation_id))
                .where(Comment.status == VISIBLE)
                .group_by(Comment.author_id)
            ).all()
        )
    )
    ordered = sorted(pid_of, key=pid_of.__getitem__)
    position = {c: i for i, c in enumerate(columns)}
    for chunk in chunks(ordered):
        mine: dict[int, list[Any]] = {}
        if columns:
            mine = {uid: [""] * len(columns) for uid in chunk}
            for uid, cid, value in session.execute(
                select(Vote.user_id, Vote.comment_id, Vote.value)
                .join(Comment, Comment.id == Vote.comment_id)
                .join(Thread, _in(consultation_id))
                .where(Comment.status == VISIBLE, Vote.user_id.in_(chunk))
            ):
                at = position.get(cid)
                if at is not None:
                    mine[uid][at] = value
        for uid in chunk:
            group = groups.get(uid)
            n, agrees, disagrees = counts.get(uid, (0, 0, 0))
            yield [
                pid_of[uid],
                "" if group is None else group,
                authored.get(uid, 0),
                n,
                agrees,
                disagrees,
                *mine.get(uid, ()),
            ]


def group_labels(
    session: Session, consultation_id: int, *, max_votes: int, totals: VoteTotals | None = None
) -> dict[int, int]:
    """User id -> opinion group for the dataset. Up to `max_votes` visible votes: the export's
    rule (services/polis_io/groups: the current run's groups, or fitted now). Above it the
    download never fits a model itself: the latest run's stored groups when it is current,
    else none (group-id empty; the analysis run that closing starts provides them).
    `totals`: `VoteSummary.totals`, when the caller read them."""
    if totals is None:
        totals = analysis_queries.vote_totals(session, consultation_id)
    if totals.visible <= max_votes:
        return export_groups(session, consultation_id)
    run = analysis_queries.latest_run(session, consultation_id)
    if run is None or not run.groups or analysis_queries.is_stale(session, run, totals):
        return {}
    stored: dict[int, int] = {}
    try:
        for group in run.groups.get("groups") or []:
            for p in group.get("participants") or []:
                stored[int(p)] = int(group["id"])
    except (TypeError, ValueError, KeyError, AttributeError):
        return {}
    return stored


def latest_run(session: Session, consultation_id: int) -> AnalysisRun | None:
    return analysis_queries.latest_run(session, consultation_id)


def theme_rows(session: Session, run: AnalysisRun | None) -> Iterator[list[Any]]:
    if run is None:
        return
    for t in session.scalars(
        select(Theme)
        .where(Theme.run_id == run.id, Theme.discarded.is_(False))
        .order_by(Theme.position, Theme.id)
    ):
        yield [t.key, t.position, t.label, "、".join(t.keywords or []), t.size, run.id]


def member_rows(session: Session, run: AnalysisRun | None) -> Iterator[list[Any]]:
    """Members that are visible comments now (a comment hidden after the run drops out)."""
    if run is None:
        return
    stmt = (
        select(Theme.key, ThemeMember.comment_id, ThemeMember.weight)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.run_id == run.id, Theme.discarded.is_(False), Comment.status == VISIBLE)
        .order_by(Theme.position, ThemeMember.comment_id)
        .execution_options(yield_per=BATCH)
    )
    for key, cid, weight in session.execute(stmt):
        yield [key, cid, round(float(weight), 6)]


def response_rows(session: Session, consultation_id: int) -> Iterator[list[Any]]:
    """Published responses only; drafts are never in the dataset."""
    for r in session.scalars(
        select(ThemeResponse)
        .where(
            ThemeResponse.consultation_id == consultation_id,
            ThemeResponse.published_at.is_not(None),
        )
        .order_by(ThemeResponse.theme_key)
    ):
        yield [
            r.theme_key,
            r.published_label,
            r.disposition,
            r.reasoning,
            r.responsible_unit,
            r.due_date.date().isoformat() if r.due_date else "",
            _aware(r.published_at).isoformat() if r.published_at else "",
        ]
