"""Changes to the focus-group lottery: set up, quotas, volunteer, import, draw, withdraw, purge.

Each checks its rule, writes, and flushes; the caller's unit of work commits (never here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from ..models import Consultation, User, utcnow
from . import lottery, queries, rules, sessions
from .models import FocusDraw, FocusGroup, FocusQuota, FocusVolunteer


def _require_staff(actor: User | None, consultation: Consultation, operator: bool) -> None:
    """Staff of the consultation, or the server's operator (the CLI: `operator=True`)."""
    if operator:
        return
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_manage(actor, consultation):
        raise Forbidden("focus_staff_only")


def _require_open(session: Session, group: FocusGroup) -> None:
    if group.purged_at is not None:
        raise Conflict("focus_purged")
    if queries.latest_draw(session, group) is not None:
        raise Conflict("focus_already_drawn")


def configure(
    session: Session,
    consultation: Consultation,
    *,
    actor: User | None,
    panel_size: int = rules.DEFAULT_PANEL_SIZE,
    retain_until: datetime,
    operator: bool = False,
) -> FocusGroup:
    """Create or update the consultation's focus group (panel size, retention date)."""
    _require_staff(actor, consultation, operator)
    if not 1 <= panel_size <= 200:
        raise ValidationError("focus_bad_size", size=panel_size)
    if retain_until <= utcnow():
        raise ValidationError("focus_retention_past")
    group = queries.group_of(session, consultation.id)
    if group is None:
        group = FocusGroup(consultation_id=consultation.id, notice_version=rules.NOTICE_VERSION)
        session.add(group)
    group.panel_size = panel_size
    group.retain_until = retain_until
    session.flush()
    return group


def set_quotas(
    session: Session,
    group: FocusGroup,
    quotas: Sequence[lottery.Quota],
    *,
    actor: User | None,
    operator: bool = False,
) -> None:
    """Replace the quotas. Once people volunteered, only the seat numbers may change: the
    categories and features are what they consented to give."""
    _require_staff(actor, group.consultation, operator)
    if group.purged_at is not None:
        raise Conflict("focus_purged")
    if not quotas:
        raise ValidationError("focus_no_quotas")
    old = {(q.category, q.feature) for q in group.quotas}
    new = {(q.category, q.feature) for q in quotas}
    if old != new and queries.pool_size(session, group) > 0:
        raise Conflict("focus_quotas_locked")
    by_key = {(q.category, q.feature): q for q in group.quotas}
    for q in quotas:
        row = by_key.pop((q.category, q.feature), None)
        if row is None:
            group.quotas.append(
                FocusQuota(category=q.category, feature=q.feature, min_seats=q.min, max_seats=q.max)
            )
        else:
            row.min_seats, row.max_seats = q.min, q.max
    for row in by_key.values():
        group.quotas.remove(row)
    session.flush()


def volunteer(
    session: Session,
    group: FocusGroup,
    *,
    actor: User | None,
    attributes: Mapping[str, str],
    consent: bool,
    notice_version: str,
) -> FocusVolunteer:
    """A logged-in person joins the pool, having read the notice and agreed to it."""
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_volunteer(actor):
        raise Forbidden()
    _require_open(session, group)
    if not group.quotas:
        raise Conflict("focus_not_ready")
    if not consent:
        raise ValidationError("focus_consent_required")
    if notice_version != group.notice_version:
        raise ValidationError("focus_notice_changed")
    if queries.volunteer_of(session, group, actor) is not None:
        raise Conflict("focus_already_volunteered")
    kept = rules.check_attributes(attributes, rules.categories_of(queries.quotas_of(group)))
    row = FocusVolunteer(
        focus_group_id=group.id,
        pool_id=f"u{actor.id}",
        user_id=actor.id,
        attributes=kept,
        notice_version=group.notice_version,
    )
    session.add(row)
    session.flush()
    return row


def import_pool(
    session: Session,
    group: FocusGroup,
    pool: Mapping[str, Mapping[str, str]],
    *,
    actor: User | None,
    operator: bool = False,
) -> int:
    """Add people recruited elsewhere (they consented there); refuses ids already in the pool."""
    _require_staff(actor, group.consultation, operator)
    _require_open(session, group)
    existing = {v.pool_id for v in queries.volunteers(session, group)}
    clash = sorted(set(pool) & existing)
    if clash:
        raise Conflict("focus_duplicate_volunteer", line=0, id=clash[0])
    session.add_all(
        FocusVolunteer(
            focus_group_id=group.id,
            pool_id=pid,
            attributes=dict(attributes),
            notice_version="imported",
        )
        for pid, attributes in pool.items()
    )
    session.flush()
    return len(pool)


def draw(
    session: Session,
    group: FocusGroup,
    *,
    actor: User | None,
    seed: int,
    size: int | None = None,
    algorithm: str = lottery.DEFAULT_ALGORITHM,
    operator: bool = False,
    max_pool: int | None = None,
) -> FocusDraw:
    """The lottery, once: feasibility first, then the package's draw; the audit record stored.

    `max_pool` (the web's limit) refuses a pool too large to draw within a request."""
    _require_staff(actor, group.consultation, operator)
    _require_open(session, group)
    size = size or group.panel_size
    quotas = queries.quotas_of(group)
    pool = queries.pool_of(session, group)
    if max_pool is not None and len(pool) > max_pool:
        raise Conflict("focus_pool_too_large_for_web", pool=len(pool), max=max_pool)
    result = lottery.draw(pool, quotas, size, seed, algorithm)
    probabilities = result.probabilities
    record = {
        "consultation_id": group.consultation_id,
        "seed": seed,
        "size": size,
        "algorithm": algorithm,
        "algorithm_run": result.algorithm,
        "solver": lottery.SOLVER,
        "package": lottery.PACKAGE,
        "package_version": lottery.package_version(),
        "pool_hash": lottery.pool_hash(pool),
        "pool_size": len(pool),
        "quotas": [q.__dict__ for q in quotas],
        "panel": result.panel,
        "reserve": result.reserve,
        "min_probability": min(probabilities.values()),
        "zero_probability": sum(1 for p in probabilities.values() if p <= 0),
        "replacements": [],
    }
    row = FocusDraw(focus_group_id=group.id, actor_id=actor.id if actor else None, record=record)
    session.add(row)
    ranks = {pid: i for i, pid in enumerate(result.reserve, start=1)}
    selected = set(result.panel)
    for v in queries.volunteers(session, group):
        if v.pool_id not in probabilities:
            continue
        v.probability = probabilities[v.pool_id]
        v.status = "selected" if v.pool_id in selected else "reserve"
        v.reserve_rank = ranks.get(v.pool_id)
    session.flush()
    return row


def withdraw(
    session: Session,
    group: FocusGroup,
    person: FocusVolunteer,
    *,
    actor: User | None,
    operator: bool = False,
) -> FocusVolunteer | None:
    """Someone withdraws (themself, or staff record it). Before the draw their row is erased;
    after it, a selected member's seat goes to the highest-ranked reserve whose swap keeps
    every quota. Returns the replacement, or None when nobody in the reserve keeps them."""
    if not operator:
        if actor is None:
            raise NotAuthenticated()
        if person.user_id != actor.id and not rules.can_manage(actor, group.consultation):
            raise Forbidden("focus_staff_only")
    if person.status == "withdrawn":
        raise Conflict("focus_already_withdrawn")
    current = queries.latest_draw(session, group)
    if current is None:
        session.delete(person)
        session.flush()
        return None
    was_selected = person.status == "selected"
    person.status = "withdrawn"
    if not was_selected or person.attributes is None:
        session.flush()
        return None
    everyone = queries.volunteers(session, group)
    pool = {v.pool_id: v.attributes or {} for v in everyone}
    seated = [v.pool_id for v in everyone if v.status == "selected"]
    reserve = sorted(
        (v for v in everyone if v.status == "reserve" and v.reserve_rank is not None),
        key=lambda v: v.reserve_rank or 0,
    )
    replacement = next(
        (
            v
            for v in reserve
            if v.attributes is not None
            and lottery.keeps_quotas([*seated, v.pool_id], pool, queries.quotas_of(group))
        ),
        None,
    )
    record = dict(current.record)
    record["replacements"] = [
        *record.get("replacements", []),
        {"withdrawn": person.pool_id, "replacement": replacement.pool_id if replacement else None},
    ]
    current.record = record
    if replacement is not None:
        replacement.status = "selected"
        session.flush()
        for fs in sessions.sessions_of(session, group):  # the newcomer gets a speaker label
            sessions.sync_members(session, group, fs)
    session.flush()
    return replacement


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Erase the attributes (and the invitation addresses) of every group whose retention date
    has passed; returns how many volunteers' attributes were erased. The audit record (hash,
    quotas, panel ids) stays."""
    now = now or utcnow()
    erased = 0
    groups = session.scalars(select(FocusGroup).where(FocusGroup.purged_at.is_(None)))
    for group in groups:
        if not rules.is_expired(group.retain_until, now):
            continue
        for v in queries.volunteers(session, group):
            if v.attributes is not None:
                v.attributes = None
                erased += 1
        for invitation in queries.invitations_of(session, group):
            invitation.email = None  # the address was kept only to mail the sessions
        group.purged_at = now
    session.flush()
    return erased
