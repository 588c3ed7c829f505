"""Words for notifications (one sentence per kind, in the reader's language) and error codes."""

from __future__ import annotations

from typing import Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES
from deliberation.models import CommentStatus
from deliberation.notifications.rules import Kind

from ..moderation.labels import NOTICES

MESSAGES.update(
    {
        "follow_own_comments_only": _l("You can follow only your own comments."),
        "invalid_follow_target": _l(
            "You can follow a consultation, a discussion, your own comment or an agency."
        ),
    }
)


class _Named(Protocol):
    @property
    def display_name(self) -> str: ...


class _Titled(Protocol):
    @property
    def title(self) -> str: ...


class _Text(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def body(self) -> str: ...


class NotificationLike(Protocol):
    """What the words need: a Notification, or a digest's plain Entry (mailing.Entry)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def comment_id(self) -> int | None: ...
    @property
    def consultation_id(self) -> int | None: ...
    @property
    def actor(self) -> _Named | None: ...
    @property
    def consultation(self) -> _Titled | None: ...
    @property
    def comment(self) -> _Text | None: ...


EXCERPT = 140  # characters of the comment shown under a reply or mention

FOLLOW_LABELS = {
    "consultation": (_l("Follow this consultation"), _l("Following this consultation")),
    "thread": (_l("Follow this discussion"), _l("Following this discussion")),
    "comment": (_l("Notify me of replies"), _l("Notifying you of replies")),
    "agency": (_l("Follow this agency"), _l("Following this agency")),
}


GROUP_LABELS = {
    "replies": _l("Replies, mentions and discussions you follow"),
    "answers": _l("The agency's answers to themes with your comments"),
    "consultations": _l("News of consultations you follow"),
    "moderation": _l("Moderators' decisions about your comments and account"),
}
FREQUENCY_LABELS = {
    "immediate": _l("At once"),
    "daily": _l("Daily digest"),
    "weekly": _l("Weekly digest"),
    "never": _l("Never"),
}


def describe(item: NotificationLike) -> str:
    """The sentence that says what happened, e.g. 「王小明回覆了您的留言：〈草案〉」."""
    who = item.actor.display_name if item.actor is not None else _("Someone")
    title = item.consultation.title if item.consultation is not None else ""
    if item.kind == Kind.REPLY:
        return _("%(who)s replied to your comment on “%(title)s”.", who=who, title=title)
    if item.kind == Kind.MENTION:
        return _("%(who)s mentioned you on “%(title)s”.", who=who, title=title)
    if item.kind == Kind.THREAD_COMMENT:
        return _(
            "%(who)s commented in a discussion you follow on “%(title)s”.", who=who, title=title
        )
    if item.kind == Kind.THEME_RESPONSE:
        return _(
            "The agency answered the theme “%(theme)s”, which includes your comment.",
            theme=item.note,
        )
    if item.kind == Kind.CONSULTATION_OPENED:
        return _("“%(title)s” is open for comments.", title=title)
    if item.kind == Kind.CONSULTATION_CLOSING:
        return _("“%(title)s” closes for comments within 3 days.", title=title)
    if item.kind == Kind.CONSULTATION_CLOSED:
        return _("“%(title)s” has closed for comments.", title=title)
    if item.kind == Kind.OUTCOME_PUBLISHED:
        return _("“%(title)s” published what the agency did with the comments.", title=title)
    notice = NOTICES.get(item.kind)
    return str(notice) if notice is not None else item.kind


def excerpt(item: NotificationLike) -> str:
    """The start of the comment a reply or mention is about; never hidden or pending text."""
    comment = item.comment
    if item.kind not in (Kind.REPLY, Kind.MENTION, Kind.THREAD_COMMENT) or comment is None:
        return ""
    if comment.status != CommentStatus.VISIBLE.value:
        return ""
    text = " ".join(comment.body.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def target_url(item: NotificationLike) -> str:
    """Where opening the notification leads."""
    if item.kind in (Kind.REPLY, Kind.MENTION, Kind.THREAD_COMMENT) and item.comment_id:
        return url_for("consultations.comment", comment_id=item.comment_id) + f"#c{item.comment_id}"
    if item.kind == Kind.THEME_RESPONSE and item.consultation_id:
        return url_for("consultations.consultation", consultation_id=item.consultation_id)
    if item.kind in {k.value for k in Kind} and item.consultation_id:
        return url_for("consultations.consultation", consultation_id=item.consultation_id)
    return url_for("moderation.notices") + f"#notice-{item.id}"


def follow_label(target_type: str, following: bool) -> str:
    """The follow button's words."""
    labels = FOLLOW_LABELS.get(target_type)
    return str(labels[1] if following else labels[0]) if labels else target_type
