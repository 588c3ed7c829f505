"""Request and response models of the notifications API (app/notifications/api.py)."""

from __future__ import annotations

from pydantic import Field

from ..openapi.operation import Body, Out, Query
from ..openapi.schemas import Paged
from ..params import MAX_ID

MAX_LIMIT = 200


class NotificationQuery(Query):
    page: int | None = Field(default=None, ge=1, le=MAX_ID)
    unread: str | None = Field(default=None, description="1: unread ones only")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")


class Notification(Out):
    id: int
    kind: str
    text: str
    excerpt: str | None
    url: str | None
    comment_id: int | None
    consultation_id: int | None
    created_at: str
    read: bool


class NotificationPage(Paged):
    """My notifications, newest first."""

    items: list[Notification]
    unread: int
    total: int
    page: int
    pages: int


class Count(Out):
    """How many notifications are unread."""

    count: int


class MarkedRead(Out):
    """The notification is read; how many are left unread."""

    id: int
    read: bool
    unread: int


class MarkedAll(Out):
    """How many were marked read."""

    marked: int
    unread: int


class Following(Out):
    """Whether I follow the target."""

    target_type: str
    target_id: int
    following: bool


class Preferences(Out):
    """How I get each group by e-mail: immediate, daily, weekly or never."""

    replies: str
    answers: str
    consultations: str
    moderation: str


class PreferencesBody(Body):
    replies: str | None = Field(default=None, description="immediate, daily, weekly or never")
    answers: str | None = None
    consultations: str | None = None
    moderation: str | None = None
