"""The automatic-hold rules in force: site and per-consultation settings (pre-moderation, flag
threshold, personal data, keywords, links, new accounts), read and changed by moderators.
The reading of the settings in force lives in `services/screening.py`, which posting uses too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import moderation as policy
from ...errors import Forbidden, NotAuthenticated, ValidationError
from ...models import Consultation, ModerationSettings, User, utcnow
from ...sanitize import clean_line
from .common import is_int
from .log import log_action


def _settings_row(session: Session, consultation_id: int | None) -> ModerationSettings | None:
    cond = (
        ModerationSettings.consultation_id.is_(None)
        if consultation_id is None
        else ModerationSettings.consultation_id == consultation_id
    )
    return session.scalar(select(ModerationSettings).where(cond).order_by(ModerationSettings.id))


def settings_row(session: Session, consultation_id: int | None) -> ModerationSettings | None:
    return _settings_row(session, consultation_id)


_INT_LIMITS = {"flag_threshold": (1, 100), "link_limit": (0, 100), "new_account_days": (0, 3650)}


def update_settings(
    session: Session,
    *,
    actor: User | None,
    consultation: Consultation | None,
    premoderation: bool | None = None,
    flag_threshold: int | None = None,
    hold_personal_data: bool | None = None,
    keywords: str | None = None,
    link_limit: int | None = None,
    new_account_days: int | None = None,
    now: datetime | None = None,
) -> ModerationSettings:
    """Save site (consultation None) or consultation settings; None fields inherit."""
    now = now or utcnow()
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    if not policy.can_configure(actor, consultation):
        raise Forbidden("moderators_only")
    values: dict[str, Any] = {
        "flag_threshold": flag_threshold,
        "link_limit": link_limit,
        "new_account_days": new_account_days,
    }
    for name, value in values.items():
        low, high = _INT_LIMITS[name]
        if value is not None and not is_int(value, low, high):
            raise ValidationError("invalid_setting", field=name, low=low, high=high)
    if keywords is not None:
        words = policy.parse_keywords(keywords)
        if len(words) > 500 or any(len(w) > 100 for w in words):
            raise ValidationError("invalid_setting", field="keywords", low=1, high=100)
        keywords = "\n".join(clean_line(w) for w in words)
    consultation_id = consultation.id if consultation is not None else None
    row = _settings_row(session, consultation_id)
    if row is None:
        row = ModerationSettings(consultation_id=consultation_id)
        session.add(row)
    before = _settings_summary(row)
    row.premoderation = premoderation
    row.flag_threshold = flag_threshold
    row.hold_personal_data = hold_personal_data
    row.keywords = keywords
    row.link_limit = link_limit
    row.new_account_days = new_account_days
    row.updated_at = now
    row.updated_by_id = actor.id
    after = _settings_summary(row)
    if before != after:
        log_action(
            session,
            actor=actor,
            action="settings",
            target_type="consultation" if consultation is not None else "site",
            target_id=consultation_id,
            consultation_id=consultation_id,
            note=after,
            before="premoderation" if "premoderation=True" in before else "",
            after="premoderation" if premoderation else "",
            now=now,
        )
    session.flush()
    return row


def _settings_summary(row: ModerationSettings) -> str:
    return (
        f"premoderation={row.premoderation} flag_threshold={row.flag_threshold} "
        f"hold_personal_data={row.hold_personal_data} link_limit={row.link_limit} "
        f"new_account_days={row.new_account_days} "
        f"keywords={len(policy.parse_keywords(row.keywords)) if row.keywords is not None else None}"
    )
