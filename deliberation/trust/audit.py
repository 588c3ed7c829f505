"""The account audit log: one append-only row per security event or privileged change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .models import AccountAudit

# Every action the log knows, so the admin page can word each one.
ACTIONS = (
    "role_changed",
    "session_revoked",
    "sessions_revoked",
    "token_revoked",
    "two_factor_enabled",
    "two_factor_disabled",
    "two_factor_reset",
    "recovery_codes_renewed",
    "recovery_code_used",
    "name_exception_granted",
    "reserved_name_added",
    "reserved_name_removed",
    "display_name_changed",
)


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    ip: str = "",
    **detail: Any,
) -> AccountAudit:
    """Append one row (flushed with the change it records, so both commit or neither)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = AccountAudit(
        action=action,
        actor_id=actor.id if actor is not None else None,
        subject_user_id=subject.id if subject is not None else None,
        detail=detail,
        ip=(ip or "")[:45],
    )
    session.add(row)
    session.flush()
    return row


def entries(
    session: Session, *, subject_id: int | None = None, limit: int = 200
) -> list[AccountAudit]:
    """The newest rows first, for one account or all."""
    query = select(AccountAudit).order_by(AccountAudit.id.desc()).limit(limit)
    if subject_id is not None:
        query = query.where(AccountAudit.subject_user_id == subject_id)
    return list(session.scalars(query))
