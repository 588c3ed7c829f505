"""Moderation use cases, one module per concern:

- ``flags``        a participant reports a comment; the Nth flag holds it
- ``queue``        what waits for a decision, and a comment or user in context
- ``actions``      approve, hide, restore, redact, pin, unpin, mark as duplicate
- ``threads``      lock, unlock, slow mode
- ``sanctions``    mute, suspend, lift
- ``appeals``      the author's appeal and the moderator's decision
- ``holds``        recording an automatic hold; a visible comment back to pending
- ``settings``     the automatic-hold rules in force, site-wide and per consultation
- ``log``          the append-only log, its pages and its export
- ``notices``      the notices a user receives about moderation
- ``transparency`` the public counts of one consultation
- ``analysis_input`` the only door through which analysis reads comment text
- ``common``       what these share (states, the moderator check, input checks)

The checks made before anything is written (sanctions in force, slow mode, which hold applies)
are `services/screening.py`, which posting and imports use too.

Every function takes the actor, checks the pure rules in ``deliberation/moderation.py``, writes
the change, one ``ModerationAction`` log row and (when a thread's display changes) one thread
event, and flushes; the caller commits once. Callers use the names below, from the package:
``from deliberation.services import moderation; moderation.act_on_comment(...)``.
"""

from ..screening import active_sanctions, check_participation, screen_post, settings_for
from .actions import ActionResult, act_on_comment
from .analysis_input import (
    AnalysisComment,
    visible_comments_for_analysis,
    visible_votes_for_analysis,
)
from .appeals import decide_appeal, submit_appeal
from .common import HIDDEN, PENDING, VISIBLE, require_moderator
from .flags import FlagResult, flag_comment
from .holds import hold_visible, record_hold, screen_edit
from .log import EXPORT_COLUMNS, LogPage, log_action, log_export_rows, log_page
from .notices import Notices, notices, notify
from .queue import (
    HOLD_RULES,
    QUEUE_SORTS,
    QUEUE_STATUSES,
    CommentContext,
    QueuePage,
    UserOverview,
    comment_context,
    open_counts,
    queue,
    user_overview,
)
from .sanctions import lift_sanction, sanction_user
from .settings import settings_row, update_settings
from .threads import act_on_thread
from .transparency import Transparency, transparency

__all__ = [
    "EXPORT_COLUMNS",
    "HIDDEN",
    "HOLD_RULES",
    "PENDING",
    "QUEUE_SORTS",
    "QUEUE_STATUSES",
    "VISIBLE",
    "ActionResult",
    "AnalysisComment",
    "CommentContext",
    "FlagResult",
    "LogPage",
    "Notices",
    "QueuePage",
    "Transparency",
    "UserOverview",
    "act_on_comment",
    "act_on_thread",
    "active_sanctions",
    "check_participation",
    "comment_context",
    "decide_appeal",
    "flag_comment",
    "hold_visible",
    "lift_sanction",
    "log_action",
    "log_export_rows",
    "log_page",
    "notices",
    "notify",
    "open_counts",
    "queue",
    "record_hold",
    "require_moderator",
    "sanction_user",
    "screen_edit",
    "screen_post",
    "settings_for",
    "settings_row",
    "submit_appeal",
    "transparency",
    "update_settings",
    "user_overview",
    "visible_comments_for_analysis",
    "visible_votes_for_analysis",
]
