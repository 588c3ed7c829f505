"""Reads of the trust area that other areas use (exports)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import User
from .rules import OFFICIAL_ROLES, Official, official_of


def officials_among(session: Session, user_ids: Iterable[int]) -> dict[int, Official]:
    """The official badge of each of these users that has one (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    found: dict[int, Official] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(User)
            .where(User.id.in_(ids[start : start + 500]), User.role.in_(list(OFFICIAL_ROLES)))
            .options(joinedload(User.agency))
        )
        for user in rows:
            official = official_of(user)
            if official is not None:
                found[user.id] = official
    return found
