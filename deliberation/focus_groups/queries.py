"""Reads of the focus-group lottery: the group, its quotas, the pool snapshot, the last draw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import User
from .lottery import Quota
from .models import FocusDraw, FocusGroup, FocusInvitation, FocusVolunteer


def group_of(session: Session, consultation_id: int) -> FocusGroup | None:
    return session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation_id))


def require_group(session: Session, consultation_id: int) -> FocusGroup:
    group = group_of(session, consultation_id)
    if group is None:
        raise NotFound("focus_group_not_found")
    return group


def require_group_by_id(session: Session, group_id: int) -> FocusGroup:
    group = session.get(FocusGroup, group_id)
    if group is None:
        raise NotFound("focus_group_not_found")
    return group


def invitations_of(session: Session, group: FocusGroup) -> list[FocusInvitation]:
    """Every invitation of the group, oldest first (the addresses are the staff's to see)."""
    return list(
        session.scalars(
            select(FocusInvitation)
            .where(FocusInvitation.focus_group_id == group.id)
            .order_by(FocusInvitation.id)
        )
    )


def quotas_of(group: FocusGroup) -> list[Quota]:
    return [Quota(q.category, q.feature, q.min_seats, q.max_seats) for q in group.quotas]


def volunteers(session: Session, group: FocusGroup) -> list[FocusVolunteer]:
    return list(
        session.scalars(
            select(FocusVolunteer)
            .where(FocusVolunteer.focus_group_id == group.id)
            .order_by(FocusVolunteer.pool_id)
        )
    )


def pool_of(session: Session, group: FocusGroup) -> dict[str, dict[str, str]]:
    """The pool snapshot a draw takes: every volunteer whose attributes are still kept."""
    return {
        v.pool_id: dict(v.attributes)
        for v in volunteers(session, group)
        if v.attributes is not None
    }


def pool_size(session: Session, group: FocusGroup) -> int:
    return (
        session.scalar(select(func.count()).where(FocusVolunteer.focus_group_id == group.id)) or 0
    )


def volunteer_of(session: Session, group: FocusGroup, user: User | None) -> FocusVolunteer | None:
    if user is None:
        return None
    return session.scalar(
        select(FocusVolunteer).where(
            FocusVolunteer.focus_group_id == group.id, FocusVolunteer.user_id == user.id
        )
    )


def latest_draw(session: Session, group: FocusGroup) -> FocusDraw | None:
    return session.scalar(
        select(FocusDraw)
        .where(FocusDraw.focus_group_id == group.id)
        .order_by(FocusDraw.id.desc())
        .limit(1)
    )


def public_summary(draw: FocusDraw | None) -> dict[str, Any] | None:
    """What everyone may see of a draw: sizes, quotas, algorithm, seed, probabilities' summary."""
    if draw is None:
        return None
    r = draw.record
    keys = (
        "size", "pool_size", "seed", "algorithm", "algorithm_run", "package", "package_version",
        "pool_hash", "min_probability", "zero_probability", "quotas",
    )  # fmt: skip
    return {k: r[k] for k in keys} | {"drawn_at": draw.created_at.isoformat()}


def feature_counts(
    pool: dict[str, dict[str, str]], quotas: list[Quota]
) -> dict[tuple[str, str], int]:
    """How many in the pool have each feature (staff's feasibility view)."""
    counts = {(q.category, q.feature): 0 for q in quotas}
    for attributes in pool.values():
        for category, feature in attributes.items():
            if (category, feature) in counts:
                counts[(category, feature)] += 1
    return counts
