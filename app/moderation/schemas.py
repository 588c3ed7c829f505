"""Request and response models of the moderation API (app/moderation/api.py): validated by
app/params.py, published in /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..openapi.operation import Body, Out, Query
from ..openapi.schemas import Comment, Paged
from ..params import MAX_ID

MAX_LIMIT = 200


def _id(**kwargs: Any) -> Any:
    return Field(default=None, ge=-MAX_ID, le=MAX_ID, **kwargs)


class FlagBody(Body):
    reason: str | None = Field(default=None, description="spam, harassment, hate, …")
    note: str | None = None


class FlagCreated(Out):
    """The flag counted (what moderators decide is theirs)."""

    id: int
    comment_id: int
    reason: str


class AppealBody(Body):
    body: str | None = Field(default=None, description="Why the decision should be reviewed")


class Appeal(Out):
    """An appeal."""

    id: int
    user_id: int
    comment_id: int | None
    sanction_id: int | None
    html: str
    status: str
    created_at: str | None
    decided_at: str | None
    decision_note: str | None


class Transparency(Out):
    """What moderation did in a consultation, in numbers."""

    consultation_id: int


class QueueQuery(Query):
    status: str | None = Field(default=None, description="open (default), held, hidden, appeals…")
    consultation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    reason: str | None = None
    older_than_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    sort: str | None = Field(default=None, description="oldest (default) or most_flagged")
    page: int | None = Field(default=None, ge=1, le=MAX_ID)
    per_page: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")


class QueuePage(Paged):
    """Queue items: comments with their flags, or appeals (status=appeals)."""

    total: int
    page: int
    pages: int
    items: list[dict[str, Any]]


class CommentActionBody(Body):
    action: str | None = Field(default=None, description="hide, restore, approve, pin, …")
    reason: str | None = None
    note: str | None = None
    version: int | None = _id()
    duplicate_of: int | None = _id()
    texts: list[str] | None = Field(default=None, description="redact: the passages to remove")


class CommentActionResult(Out):
    """Whether anything changed, the log row, the comment now."""

    changed: bool
    log_id: int | None
    comment: Comment


class ThreadActionBody(Body):
    action: str | None = Field(default=None, description="lock, unlock or slow_mode")
    reason: str | None = None
    note: str | None = None
    seconds: int | None = _id()


class ThreadState(Out):
    id: int
    locked: bool
    slow_mode_seconds: int | None


class ThreadActionResult(Out):
    """Whether anything changed, the thread now."""

    changed: bool
    thread: ThreadState


class SanctionBody(Body):
    kind: str | None = Field(default=None, description="mute or suspend")
    reason: str | None = None
    note: str | None = None
    days: int | None = _id()
    comment_id: int | None = _id()


class Sanction(Out):
    """A sanction."""

    id: int
    user_id: int
    kind: str
    reason: str | None
    note: str | None
    starts_at: str | None
    ends_at: str | None
    lifted_at: str | None


class NoteBody(Body):
    note: str | None = None


class LiftResult(Out):
    """Whether anything changed, the sanction now."""

    changed: bool
    sanction: Sanction


class DecisionBody(Body):
    decision: str | None = Field(default=None, description="upheld or rejected")
    note: str | None = None


class DecisionResult(Out):
    """Whether anything changed, the appeal now."""

    changed: bool
    appeal: Appeal


class LogQuery(Query):
    consultation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    action: str | None = None
    page: int | None = Field(default=None, ge=1, le=MAX_ID)
    per_page: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")


class LogPage(Paged):
    """Moderation log rows, newest first."""

    total: int
    page: int
    pages: int
    items: list[dict[str, Any]]
