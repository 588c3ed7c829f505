"""Pure permission and state rules for plans, theme responses and reviews.

Like `rules.py`, nothing here touches the database: each rule looks at what it is given.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from .models import Disposition, PlanStatus, ReviewDecision, Role

DISPOSITIONS: tuple[str, ...] = tuple(d.value for d in Disposition)
DECISIONS: tuple[str, ...] = tuple(d.value for d in ReviewDecision)
# Dispositions that promise follow-up work, so a due date can pass.
FOLLOW_UP: frozenset[str] = frozenset({Disposition.UNDER_STUDY.value, Disposition.PARTLY.value})
# The lead agency edits a plan while it is with them; under review or accepted it is frozen.
EDITABLE: frozenset[str] = frozenset({PlanStatus.DRAFT.value, PlanStatus.RETURNED.value})
SUBMITTABLE: frozenset[str] = EDITABLE


class Actor(Protocol):
    id: int
    role: str
    agency_id: int | None


def is_admin(user: Actor | None) -> bool:
    return user is not None and user.role == Role.ADMIN


def is_reviewer(user: Actor | None) -> bool:
    """Reviewers of the reviewing agency (審議機關) decide on submitted plans."""
    return user is not None and user.role == Role.REVIEWER


def is_lead_staff(user: Actor | None, lead_agency_id: int) -> bool:
    return user is not None and user.role == Role.STAFF and user.agency_id == lead_agency_id


def is_plan_staff(user: Actor | None, lead_agency_id: int, co_agency_ids: Collection[int]) -> bool:
    """Staff of the lead agency or of a co-agency."""
    return (
        user is not None
        and user.role == Role.STAFF
        and user.agency_id is not None
        and (user.agency_id == lead_agency_id or user.agency_id in co_agency_ids)
    )


def can_create_plan(user: Actor | None, lead_agency_id: int) -> bool:
    """Staff create plans for their own agency; admins for any."""
    return is_admin(user) or is_lead_staff(user, lead_agency_id)


def can_read_plan(user: Actor | None, lead_agency_id: int, co_agency_ids: Collection[int]) -> bool:
    """Plans are internal until the outcome is published: the agencies, reviewers, admins."""
    return is_admin(user) or is_reviewer(user) or is_plan_staff(user, lead_agency_id, co_agency_ids)


def can_edit_plan(user: Actor | None, lead_agency_id: int) -> bool:
    """Only staff of the lead agency (主責機關) edit; co-agencies read and comment."""
    return is_admin(user) or is_lead_staff(user, lead_agency_id)


def can_note_plan(user: Actor | None, lead_agency_id: int, co_agency_ids: Collection[int]) -> bool:
    return can_read_plan(user, lead_agency_id, co_agency_ids)


def can_decide(user: Actor | None) -> bool:
    """Only reviewers record accept / return decisions."""
    return is_reviewer(user)


def can_respond(user: Actor | None, consultation_agency_id: int) -> bool:
    """Staff of the consultation's agency answer its themes (admins too)."""
    return is_admin(user) or (
        user is not None and user.role == Role.STAFF and user.agency_id == consultation_agency_id
    )


def can_read_consultation_work(
    user: Actor | None, consultation_agency_id: int, linked_agency_ids: Collection[int] = ()
) -> bool:
    """The one rule for a consultation's unpublished work (draft responses, themes in a plan's
    outcome): its own agency's staff, reviewers, admins, and staff of the agencies of plans that
    link it. Linking another agency's consultation needs that agency's consent
    (deliberation/plan_links), so `linked_agency_ids` only ever holds agencies it agreed to.
    Pages, the API and every export ask this rule."""
    if is_admin(user) or is_reviewer(user):
        return True
    return (
        user is not None
        and user.role == Role.STAFF
        and user.agency_id is not None
        and (user.agency_id == consultation_agency_id or user.agency_id in linked_agency_ids)
    )


# The name the responses pages and API have used; the same rule.
can_see_draft_responses = can_read_consultation_work


def is_overdue(
    disposition: str, due_date: datetime | None, done_at: datetime | None, now: datetime
) -> bool:
    """A follow-up (研議中 / 部分採納) whose due date has passed and that is not done."""
    return disposition in FOLLOW_UP and due_date is not None and done_at is None and due_date < now


# Words staff leave in a section they have not written yet (compared without spaces, punctuation
# or case): such a section fails the reviewer's checklist like an empty one.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "待補",
        "待填",
        "待填寫",
        "待補充",
        "未填寫",
        "尚未填寫",
        "主責機關尚未填寫",
        "主責機關尚未填寫計畫因應調整情形",
        "略",
        "無",
        "暫無",
        "同上",
        "tbd",
        "todo",
        "tba",
        "na",
        "none",
        "xxx",
        "loremipsum",
    }
)
_IGNORED = set(" \t\r\n.,;:!?()[]{}<>-_—–…・*#\"'`~/\\|（）【】「」『』，。、；：！？")


def is_placeholder(text: str) -> bool:
    """True when a section is empty or only a placeholder (待補, TBD, 主責機關尚未填寫, xxx…)."""
    core = "".join(ch for ch in (text or "").lower() if ch not in _IGNORED)
    return not core or core in PLACEHOLDERS or set(core) <= {"x", "○", "〇", "?", "？"}
