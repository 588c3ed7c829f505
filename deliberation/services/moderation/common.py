"""What the moderation modules share: comment states, the moderator check, and the checks of a
note, a reason code and a whole number.
"""

from __future__ import annotations

from ... import moderation as policy
from ...errors import Forbidden, NotAuthenticated, ValidationError
from ...models import CommentStatus, SanctionKind, User
from ...sanitize import clean_line

PENDING, VISIBLE, HIDDEN = (
    CommentStatus.PENDING.value,
    CommentStatus.VISIBLE.value,
    CommentStatus.HIDDEN.value,
)


def require_moderator(actor: User | None) -> User:
    """The actor if they may moderate; NotAuthenticated or Forbidden (with the reason) if not."""
    refusal = policy.moderator_refusal(actor)
    if refusal == "not_authenticated":
        raise NotAuthenticated(refusal)
    if refusal:
        raise Forbidden(refusal)
    assert actor is not None
    return actor


def clean_note(note: str | None) -> str:
    """A moderator's note as one clean line, or ValidationError when it is too long."""
    text = clean_line(note or "")
    if len(text) > policy.MAX_NOTE:
        raise ValidationError("note_too_long", field="note", max=policy.MAX_NOTE)
    return text


def check_reason(action: str, reason: str | None, default: str = "") -> str:
    """The rule code given (or the default); required for some actions, checked against the list."""
    reason = (reason or "").strip() or default
    if not reason:
        if action in policy.REASON_REQUIRED:
            raise ValidationError("reason_required", field="reason")
        return ""
    if reason not in policy.RULE_CODES:
        raise ValidationError("invalid_reason", field="reason")
    return reason


def is_int(value: object, low: int | None = None, high: int | None = None) -> bool:
    """Whether `value` is an integer (a bool is not one) within the bounds given."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def sanction_state(kind: str) -> str:
    """The account state a sanction of this kind puts in force (a log status, a notice kind)."""
    return "muted" if kind == SanctionKind.MUTE.value else "suspended"
