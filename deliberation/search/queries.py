"""`search`: consultations, sections and visible comments whose stored tokens hold every term
of the query, ranked, one page of comments at a time. One function for both databases:
PostgreSQL full-text search (`ts_rank` over the GIN-indexed tsvector) or SQLite FTS5 (`bm25`).

Only public text is ever found: comments that are visible, in consultations that are not drafts;
sections and consultations that are not drafts. Hidden, pending and draft text is filtered in
the query itself, so a stale index can never show it.
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
    ConsultationStatus,
    Section,
    Thread,
)
from ..services.comment_rows import tokens_of
from .index import FTS_TABLE, KINDS, tsvector_sql
from .rules import PER_PAGE, fts5_query, query_terms

TOP = 10  # consultations and sections shown above the comments


@dataclass
class Results:
    q: str
    terms: list[str]
    consultations: list[Consultation] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    total: int = 0  # comments found
    page: int = 1
    pages: int = 1


def _public(model: Any) -> list[ColumnElement[bool]]:
    if model is Comment:
        return [
            Comment.status == CommentStatus.VISIBLE.value,
            Consultation.status != ConsultationStatus.DRAFT.value,
        ]
    return [Consultation.status != ConsultationStatus.DRAFT.value]


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
    session: Session, model: Any, terms: list[str], *, limit: int, offset: int
) -> tuple[list[int], int]:
    """Ids of the matching public rows, best first, and how many there are."""
    name = model.__tablename__
    base = _base(model).where(*_public(model))
    if session.get_bind().dialect.name == "postgresql":
        vector: ColumnElement[Any] = literal_column(tsvector_sql(name))
        query = func.plainto_tsquery(literal_column("'simple'"), " ".join(terms))
        found = base.where(vector.op("@@")(query))
        rank = func.ts_rank(vector, query)
        ordered = found.order_by(rank.desc(), model.id.desc())
    else:
        fts = table(FTS_TABLE, column("rowid"))
        found = base.join(fts, fts.c.rowid == model.id * 4 + KINDS[name]).where(
            literal_column(FTS_TABLE).op("MATCH")(fts5_query(terms))
        )
        ordered = found.order_by(func.bm25(literal_column(FTS_TABLE)), model.id.desc())
    total = int(session.scalar(select(func.count()).select_from(found.subquery())) or 0)
    ids = list(session.scalars(ordered.limit(limit).offset(offset)))
    return ids, total


def _load(session: Session, model: Any, ids: list[int], *options: Any) -> list[Any]:
    if not ids:
        return []
    rows = {
        row.id: row
        for row in session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    }
    return [rows[i] for i in ids if i in rows]


def search(session: Session, q: str, *, page: int = 1, per_page: int = PER_PAGE) -> Results:
    """Everything public that holds every word of `q`: consultations and sections (the best
    TOP of each) and one page of comments."""
    terms = query_terms(q, tokens_of)
    results = Results(q=" ".join(q.split()), terms=terms)
    ids, _ = _matches(session, Consultation, terms, limit=TOP, offset=0)
    results.consultations = _load(session, Consultation, ids, joinedload(Consultation.agency))
    ids, _ = _matches(session, Section, terms, limit=TOP, offset=0)
    results.sections = _load(
        session, Section, ids, joinedload(Section.consultation), joinedload(Section.thread)
    )
    page = max(1, page)
    ids, total = _matches(session, Comment, terms, limit=per_page, offset=(page - 1) * per_page)
    results.total, results.page = total, page
    results.pages = max(1, -(-total // per_page))
    results.comments = _load(
        session,
        Comment,
        ids,
        joinedload(Comment.author),
        joinedload(Comment.thread).joinedload(Thread.consultation),
    )
    return results
