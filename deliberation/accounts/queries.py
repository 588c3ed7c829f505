"""Reads of the accounts area: the privacy texts in force and a person's own data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import (
    Appeal,
    Comment,
    CommentRevision,
    Flag,
    Notification,
    Sanction,
    Thread,
    User,
    Vote,
)
from .models import Consent, PolicyDocument

TEXTS = Path(__file__).with_name("texts")


def default_text(kind: str) -> tuple[str, str]:
    """The shipped zh-TW and English text of a privacy document (version 1)."""
    return (
        (TEXTS / f"{kind}.zh_TW.md").read_text(encoding="utf-8").strip(),
        (TEXTS / f"{kind}.en.md").read_text(encoding="utf-8").strip(),
    )


def current_document(session: Session, kind: str) -> PolicyDocument | None:
    """The version in force (the highest), or None before the first is written."""
    return session.scalar(
        select(PolicyDocument)
        .where(PolicyDocument.kind == kind)
        .order_by(PolicyDocument.version.desc())
        .limit(1)
    )


def document_versions(session: Session, kind: str) -> list[PolicyDocument]:
    return list(
        session.scalars(
            select(PolicyDocument)
            .where(PolicyDocument.kind == kind)
            .order_by(PolicyDocument.version.desc())
        )
    )


def document_version(session: Session, kind: str, version: int) -> PolicyDocument | None:
    return session.scalar(
        select(PolicyDocument).where(PolicyDocument.kind == kind, PolicyDocument.version == version)
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(session: Session, user: User) -> dict[str, Any]:
    """Everything this site holds about the person, as JSON-safe data (PDPA art. 3, 10)."""
    consents = session.scalars(
        select(Consent)
        .where(Consent.user_id == user.id)
        .options(joinedload(Consent.document))
        .order_by(Consent.id)
    )
    own = list(
        session.scalars(
            select(Comment)
            .where(Comment.author_id == user.id)
            .options(joinedload(Comment.thread).joinedload(Thread.consultation))
            .order_by(Comment.id)
        )
    )
    revisions: dict[int, list[CommentRevision]] = {}
    if own:
        for rev in session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id.in_([c.id for c in own]))
            .order_by(CommentRevision.id)
        ):
            revisions.setdefault(rev.comment_id, []).append(rev)
    votes = session.scalars(select(Vote).where(Vote.user_id == user.id).order_by(Vote.id))
    flags = session.scalars(select(Flag).where(Flag.user_id == user.id).order_by(Flag.id))
    notices = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    sanctions = session.scalars(
        select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id)
    )
    appeals = session.scalars(select(Appeal).where(Appeal.user_id == user.id).order_by(Appeal.id))
    return {
        "format": "zhongyi-personal-data/1",
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "agency": user.agency.name if user.agency else None,
            "language": user.language,
            "created_at": _iso(user.created_at),
            "email_verified_at": _iso(user.email_verified_at),
            "has_api_token": user.api_token_hash is not None,
        },
        "consents": [
            {
                "document": c.document.kind,
                "version": c.document.version,
                "accepted_at": _iso(c.accepted_at),
            }
            for c in consents
        ],
        "comments": [
            {
                "id": c.id,
                "consultation": {
                    "id": c.thread.consultation_id,
                    "title": c.thread.consultation.title,
                },
                "thread_id": c.thread_id,
                "parent_id": c.parent_id,
                "status": c.status,
                "body": c.body,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "votes_received": {
                    "agree": c.agree_count,
                    "disagree": c.disagree_count,
                    "pass": c.pass_count,
                },
                "revisions": [
                    {
                        "version": r.version,
                        "body": r.body,
                        "written_at": _iso(r.created_at),
                        "replaced_at": _iso(r.replaced_at),
                    }
                    for r in revisions.get(c.id, [])
                ],
            }
            for c in own
        ],
        "votes": [
            {
                "comment_id": v.comment_id,
                "value": v.value,
                "created_at": _iso(v.created_at),
                "updated_at": _iso(v.updated_at),
            }
            for v in votes
        ],
        "flags": [
            {
                "comment_id": f.comment_id,
                "reason": f.reason,
                "note": f.note,
                "created_at": _iso(f.created_at),
                "resolved_at": _iso(f.resolved_at),
            }
            for f in flags
        ],
        "notices": [
            {
                "kind": n.kind,
                "reason": n.reason,
                "note": n.note,
                "comment_id": n.comment_id,
                "created_at": _iso(n.created_at),
            }
            for n in notices
        ],
        "sanctions": [
            {
                "kind": s.kind,
                "reason": s.reason,
                "note": s.note,
                "starts_at": _iso(s.starts_at),
                "ends_at": _iso(s.ends_at),
            }
            for s in sanctions
        ],
        "appeals": [
            {
                "comment_id": a.comment_id,
                "sanction_id": a.sanction_id,
                "body": a.body,
                "status": a.status,
                "created_at": _iso(a.created_at),
                "decided_at": _iso(a.decided_at),
            }
            for a in appeals
        ],
    }
