"""Typed SQLAlchemy 2 models of the deliberation domain, one module per area, all importable from here.

Invariants live in the database as CHECK / UNIQUE constraints so that a bug in one code path
cannot write a row the rest of the system would misread.
"""

from ..attachments.models import Attachment

# Notifications live in their own package (deliberation/notifications); the name stays here.
from ..notifications.models import (
    DigestRun,
    EmailPreference,
    Follow,
    FollowTarget,
    MailFrequency,
    Notification,
)
from ..search import index as _search_index  # noqa: F401  (full-text indexes with the schema)
from ..search.models import ConsultationTag
from .base import (
    NAMING,
    Base,
    UTCDateTime,
    enum_check,
    utcnow,
)
from .core import (
    Agency,
    Comment,
    CommentRevision,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    IdempotencyKey,
    Role,
    Section,
    Thread,
    ThreadEvent,
    User,
    Vote,
)
from .moderation import (
    Appeal,
    AppealStatus,
    Flag,
    FlagReason,
    ModerationAction,
    ModerationSettings,
    Sanction,
    SanctionKind,
)
from .plans import (
    AnalysisStatus,
    Disposition,
    Plan,
    PlanAgency,
    PlanConsultation,
    PlanIndicator,
    PlanNote,
    PlanReview,
    PlanStatus,
    ReviewDecision,
)
from .social import (
    CommentLink,
    LinkPreview,
    LinkStatus,
)
from .themes import (
    AnalysisRun,
    Theme,
    ThemeEdit,
    ThemeMember,
    ThemeResponse,
)

__all__ = [
    "Agency",
    "AnalysisRun",
    "AnalysisStatus",
    "Appeal",
    "Attachment",
    "AppealStatus",
    "Base",
    "Comment",
    "CommentLink",
    "CommentRevision",
    "CommentStatus",
    "Consultation",
    "ConsultationTag",
    "ConsultationStatus",
    "DigestRun",
    "Disposition",
    "EmailPreference",
    "Flag",
    "FlagReason",
    "Follow",
    "FollowTarget",
    "IdempotencyKey",
    "LinkPreview",
    "LinkStatus",
    "MailFrequency",
    "ModerationAction",
    "ModerationSettings",
    "NAMING",
    "Notification",
    "Plan",
    "PlanAgency",
    "PlanConsultation",
    "PlanIndicator",
    "PlanNote",
    "PlanReview",
    "PlanStatus",
    "ReviewDecision",
    "Role",
    "Sanction",
    "SanctionKind",
    "Section",
    "Theme",
    "ThemeEdit",
    "ThemeMember",
    "ThemeResponse",
    "Thread",
    "ThreadEvent",
    "UTCDateTime",
    "User",
    "Vote",
    "enum_check",
    "utcnow",
]
