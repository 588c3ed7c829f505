"""`search`: consultations, sections and visible comments whose stored tokens hold every term
of the query, ranked, one page of comments at a time. One function for both databases:
PostgreSQL full-text search (`ts_rank` over the GIN-indexed tsvector) or SQLite FTS5 (`bm25`),
ranking the newest CANDIDATES matches (rules.CANDIDATES), not every match of a common word.

Only what the viewer may see is found: visible comments, and consultations, sections and comments
of consultations that are not drafts (drafts for the staff of their agency and admins: the
consultations list's rule). Hidden, pending and others' draft text is filtered in the query
itself, so a stale index can never show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table
from sqlalchemy.orm import Session, joinedload

from ..models import (
    Comment,
    CommentStatus,
    Consultation,
    Section,
    Thread,
    User,
)
from ..services.comment_rows import tokens_of
from ..services.consultations import visible_consultation
from .index import FTS_TABLE, KINDS, tsvector_sql
from .rules import CANDIDATES, PER_PAGE, fts5_query, query_terms

TOP = 10  # consultations and sections shown above the comments


@dataclass
class Results:
    q: str
    terms: list[str]
    consultations: list[Consultation] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    total: int = 0  # comments found (at most CANDIDATES)
    more: bool = False  # more than CANDIDATES were found: the newest CANDIDATES are ranked
    page: int = 1
    pages: int = 1


def _visible(model: Any, viewer: User | None) -> list[ColumnElement[bool]]:
    """What this viewer may find: the consultations they may see (drafts only for the staff of
    the owning agency and admins: the one rule, `rules.draft_agency_ids`), and of comments
    only the visible ones."""
    where = [visible_consultation(viewer)]
    if model is Comment:
        where.append(Comment.status == CommentStatus.VISIBLE.value)
    return where


def _base(model: Any) -> Select[Any]:
    if model is Comment:
        return (
            select(Comment.id)
            .join(Thread, Thread.id == Comment.thread_id)
            .join(Consultation, Consultation.id == Thread.consultation_id)
        )
    if model is Section:
        return select(Section.id).join(Consultation, Consultation.id == Section.consultation_id)
    return select(Consultation.id)


def _matches(
    session: Session,
    model: Any,
    terms: list[str],
    viewer: User | None,
    *,
    limit: int,
    offset: int,
    count: bool = True,
) -> tuple[list[int], int]:
    """Ids of the matching rows this viewer may see, best first, and (when `count`) how many
    there are, at most CANDIDATES + 1: more is shown as "more than 200".

    Ranking is bounded: the CANDIDATES newest matches are ranked (`ts_rank` / `bm25`) and the
    page is cut from them. Ranking every match of a common word meant ranking tens of thousands
    of rows for one page of twenty (bench/RESULTS.md, "Follow, notify, find"); among the newest
    two hundred the best come first, and a rarer word narrows the set."""
    name = model.__tablename__
    base = _base(model).where(*_visible(model, viewer))
    if session.get_bind().dialect.name == "postgresql":
        vector: ColumnElement[Any] = literal_column(tsvector_sql(name))
        query = func.plainto_tsquery(literal_column("'simple'"), " ".join(terms))
        found = base.where(vector.op("@@")(query))
        # The newest matches' ids only (no vector carried through the sort), then the vector
        # of those few read again to rank them.
        newest = found.order_by(model.id.desc()).limit(CANDIDATES).subquery()
        ordered = (
            select(model.id)
            .join(newest, newest.c.id == model.id)
            .order_by(func.ts_rank(vector, query).desc(), model.id.desc())
        )
    else:
        fts = table(FTS_TABLE, column("rowid"))
        found = base.join(fts, fts.c.rowid == model.id * 4 + KINDS[name]).where(
            literal_column(FTS_TABLE).op("MATCH")(fts5_query(terms))
        )
        scored = (  # bm25 is only known in the query that MATCHes
            found.add_columns(func.bm25(literal_column(FTS_TABLE)).label("score"))
            .order_by(model.id.desc())
            .limit(CANDIDATES)
            .subquery()
        )
        ordered = select(scored.c.id).order_by(scored.c.score.asc(), scored.c.id.desc())
    ids = list(session.scalars(ordered.limit(limit).offset(offset)))
    if not count:
        return ids, len(ids)
    counted = found.order_by(None).limit(CANDIDATES + 1).subquery()
    total = int(session.scalar(select(func.count()).select_from(counted)) or 0)
    return ids, total


def _load(session: Session, model: Any, ids: list[int], *options: Any) -> list[Any]:
    if not ids:
        return []
    rows = {
        row.id: row
        for row in session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    }
    return [rows[i] for i in ids if i in rows]


def search(
    session: Session,
    q: str,
    *,
    viewer: User | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    """Everything this viewer may see that holds every word of `q`: consultations and sections
    (the best TOP of each) and one page of comments. Drafts are found only by the staff of
    their agency and admins; hidden and pending comments by no one."""
    terms = query_terms(q, tokens_of)
    results = Results(q=" ".join(q.split()), terms=terms)
    ids, _ = _matches(session, Consultation, terms, viewer, limit=TOP, offset=0, count=False)
    results.consultations = _load(session, Consultation, ids, joinedload(Consultation.agency))
    ids, _ = _matches(session, Section, terms, viewer, limit=TOP, offset=0, count=False)
    results.sections = _load(
        session, Section, ids, joinedload(Section.consultation), joinedload(Section.thread)
    )
    page = max(1, page)
    ids, total = _matches(
        session, Comment, terms, viewer, limit=per_page, offset=(page - 1) * per_page
    )
    results.total, results.more, results.page = min(total, CANDIDATES), total > CANDIDATES, page
    results.pages = max(1, -(-results.total // per_page))
    results.comments = _load(
        session,
        Comment,
        ids,
        joinedload(Comment.author),
        joinedload(Comment.thread).joinedload(Thread.consultation),
    )
    return results
