"""What an admin does to another account: change its role, revoke its API token. Sessions,
2FA resets and name exceptions live in sessions.py, two_factor.py and names.py; every act is
audited in the same transaction."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound, ValidationError
from ..models import Role, User
from ..services import accounts
from . import audit, sessions
from .rules import requires_two_factor


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    return user


def find_users(session: Session, query: str, *, limit: int = 50) -> list[User]:
    """Accounts whose e-mail or display name contains `query` (newest first)."""
    q = (query or "").strip()
    stmt = select(User).where(User.origin.is_(None)).order_by(User.id.desc()).limit(limit)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.display_name.like(f"%{q}%")))
    return list(session.scalars(stmt))


def change_role(
    session: Session,
    user: User,
    role: str,
    *,
    agency_code: str | None,
    actor: User,
    ip: str = "",
) -> User:
    """Give an account another role (staff need an agency); its sessions end, so a newly
    privileged account signs in again and meets the two-factor requirement."""
    if role not in {r.value for r in Role}:
        raise ValidationError("invalid_role", field="role")
    if user.id == actor.id:
        raise Forbidden("cannot_change_own_role")
    agency = None
    if role == Role.STAFF:
        if not (agency_code or "").strip():
            raise ValidationError("agency_required", field="agency")
        agency = accounts.get_or_create_agency(session, agency_code or "")
    before = {"role": user.role, "agency": user.agency.code if user.agency else None}
    user.role = role
    user.agency = agency
    after = {"role": role, "agency": agency.code if agency else None}
    session.flush()
    audit.record(
        session, "role_changed", actor=actor, subject=user, ip=ip, before=before, after=after
    )
    if requires_two_factor(user) or before["role"] != role:
        sessions.revoke_all(session, user, actor=actor, ip=ip, audit_it=False)
    return user


def has_token(user: User) -> bool:
    return user.api_token_hash is not None


def revoke_token(session: Session, user: User, *, actor: User, ip: str = "") -> bool:
    """Stop the user's API token from working; False when there was none."""
    if user.api_token_hash is None:
        return False
    user.api_token_hash = None
    session.flush()
    audit.record(session, "token_revoked", actor=actor, subject=user, ip=ip)
    return True
