"""Who may see and curate a consultation's analysis (pure rules, no database).

Analysis snapshots and the theme workspace are unpublished work: staff of the consultation's
agency and admins read and curate them; reviewers read them (they check the outcome) but do not
curate; everyone else is refused.
"""

from __future__ import annotations

from .errors import Forbidden, NotAuthenticated, NotFound
from .models import Role
from .plan_rules import can_read_consultation_work
from .rules import Actor, ConsultationLike, can_view_consultation


def can_view_analysis(user: Actor | None, consultation: ConsultationLike) -> bool:
    """Staff of the consultation's agency, reviewers and admins; a draft only for those who
    manage it (the draft rule comes first, as on every route)."""
    if user is None or not user.is_active or not can_view_consultation(user, consultation):
        return False
    # The one rule for a consultation's unpublished work; the workspace itself is not opened to
    # agencies of plans that link it (they read the themes in the plan's outcome section).
    return can_read_consultation_work(user, consultation.agency_id)


def can_curate(user: Actor | None, consultation: ConsultationLike) -> bool:
    """Staff of the consultation's agency and admins: run analysis, edit themes."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.STAFF and user.agency_id == consultation.agency_id


def require_view(user: Actor | None, consultation: ConsultationLike) -> None:
    """Raise NotFound (a draft they cannot see) / NotAuthenticated / Forbidden unless the user
    may read the analysis."""
    if not can_view_consultation(user, consultation):
        raise NotFound("consultation_not_found")
    if user is None:
        raise NotAuthenticated()
    if not can_view_analysis(user, consultation):
        raise Forbidden("analysis_forbidden")


def require_curate(user: Actor | None, consultation: ConsultationLike) -> None:
    """Raise NotFound / NotAuthenticated / Forbidden unless the user may run analysis and curate
    themes."""
    if not can_view_consultation(user, consultation):
        raise NotFound("consultation_not_found")
    if user is None:
        raise NotAuthenticated()
    if not can_curate(user, consultation):
        raise Forbidden(
            "analysis_read_only" if can_view_analysis(user, consultation) else "analysis_forbidden"
        )
