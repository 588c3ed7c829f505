"""Server-side sessions: a log-in is a row; the browser holds only a random id for it.

The web layer keeps the id in the signed Flask session (and, for "keep me logged in", in a
cookie of its own); every request checks the row, so a revoked or expired one is logged out
even when an old cookie is replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import User, utcnow
from . import audit
from .models import UserSession
from .rules import SESSION_LIFETIME, remember_for


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start(
    session: Session,
    user: User,
    *,
    remember: bool,
    remember_days: int = 30,
    two_factor: bool,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> tuple[UserSession, str]:
    """A new session row and the random id to hand to the browser (shown once, never stored)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        token_hash=_hash(raw),
        created_at=now,
        expires_at=now + (remember_for(remember_days) if remember else SESSION_LIFETIME),
        remember=remember,
        two_factor=two_factor,
        ip=(ip or "")[:45],
        user_agent=(user_agent or "")[:200],
    )
    session.add(row)
    session.flush()
    return row, raw


def active(
    session: Session, raw: str | None, *, user_id: int | None = None, now: datetime | None = None
) -> UserSession | None:
    """The live session for this id (and this user, when given), or None."""
    if not raw:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(raw)))
    if row is None or row.revoked_at is not None or row.expires_at <= (now or utcnow()):
        return None
    if user_id is not None and row.user_id != user_id:
        return None
    return row


def end(session: Session, raw: str | None) -> None:
    """Log-out: the session stops working at once."""
    if not raw:
        return
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _hash(raw), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()


def of_user(session: Session, user_id: int, *, now: datetime | None = None) -> list[UserSession]:
    """A user's live sessions, newest first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.id.desc())
        )
    )


def revoke(
    session: Session, user: User, session_id: int, *, actor: User, ip: str = ""
) -> UserSession | None:
    """End one of `user`'s sessions (an admin, or the user from another device); audited."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    row.revoked_by_id = actor.id
    audit.record(
        session, "session_revoked", actor=actor, subject=user, ip=ip, session_id=session_id
    )
    return row


def revoke_all(
    session: Session,
    user: User,
    *,
    actor: User | None,
    ip: str = "",
    audit_it: bool = True,
    reason: str = "",
    keep: int | None = None,
) -> int:
    """End every live session of `user` but `keep` (a session id); returns how many."""
    rows = [row for row in of_user(session, user.id) if row.id != keep]
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        row.revoked_by_id = actor.id if actor is not None else None
    if audit_it:
        audit.record(
            session,
            "sessions_revoked",
            actor=actor,
            subject=user,
            ip=ip,
            count=len(rows),
            reason=reason,
        )
    session.flush()
    return len(rows)
