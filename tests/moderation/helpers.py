"""Moderation test helpers: a consultation with a comment, a logged-in API caller per role."""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from deliberation.models import Comment, ModerationAction, User
from tests.factories import (
    api_csrf,
    login,
)

EN = {"Accept-Language": "en"}


ZH = {"Accept-Language": "zh-TW"}


@dataclass
class Scene:
    consultation: object
    thread: object
    author: User
    comment: Comment
    moderator: User
    admin: User


def api_login(client, user) -> dict[str, str]:
    """Log the client in and return headers for session-authenticated API calls (English)."""
    login(client, user)
    return {**api_csrf(client), **EN}


def act(client, headers, comment_id, **body):
    return client.post(
        f"/api/v1/moderation/comments/{comment_id}/actions", json=body, headers=headers
    )


def fresh(model, ident):
    """The row as the database has it now (not the test session's cached copy)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def log_rows(comment_id=None):
    from sqlalchemy import select

    stmt = select(ModerationAction).order_by(ModerationAction.id)
    if comment_id is not None:
        stmt = stmt.where(ModerationAction.comment_id == comment_id)
    db.session.expire_all()
    return list(db.session.scalars(stmt))
