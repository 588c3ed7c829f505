"""Pure rules for imports from other media and participation figures (issue 7).

Nothing here touches the database: each rule looks at the objects it is given and answers.
"""

from __future__ import annotations

from . import rules
from .models import ConsultationStatus


def can_import(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """Moderators, admins, and staff of the consultation's agency bring in outside posts."""
    return rules.is_moderator(user) or rules.can_manage_consultation(user, consultation)


def can_see_participation(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """Participation and stickiness figures are for the same people."""
    return can_import(user, consultation)


def import_refusal(
    user: rules.Actor | None, consultation: rules.ConsultationLike, thread_locked: bool
) -> str | None:
    """Why this user may not import into this thread now, or None if they may.

    Imports are allowed while a consultation is a draft, open or closed (opinions gathered
    elsewhere keep arriving after the comment period); a concluded one's record is final, and a
    locked thread is locked for everyone.
    """
    if user is None:
        return "not_authenticated"
    if not can_import(user, consultation):
        return "import_not_allowed"
    if consultation.status == ConsultationStatus.CONCLUDED:
        return "import_consultation_concluded"
    if thread_locked:
        return "thread_locked"
    return None
