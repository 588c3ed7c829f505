"""Pure rules of notifications: the kinds, who may follow what, and @mentions in a text.

Nothing here touches the database."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from ..errors import Forbidden, NotAuthenticated, NotFound, ValidationError
from ..rules import Actor, ConsultationLike, can_view_consultation
from .models import FollowTarget

MAX_NAME = 80  # users.display_name is at most this long


class Kind(enum.StrEnum):
    REPLY = "reply"  # a reply to a comment the person follows (their own, automatically)
    MENTION = "mention"  # @their display name in a visible comment
    THREAD_COMMENT = "thread_comment"  # a new comment in a thread they follow
    THEME_RESPONSE = "theme_response"  # the agency answered a theme holding their comment
    CONSULTATION_OPENED = "consultation_opened"
    CONSULTATION_CLOSING = "consultation_closing"  # closes in CLOSING_SOON_DAYS
    CONSULTATION_CLOSED = "consultation_closed"
    OUTCOME_PUBLISHED = "outcome_published"


CLOSING_SOON_DAYS = 3

# E-mail is chosen per group of kinds; anything not listed is a moderation decision.
MAIL_GROUPS: dict[str, tuple[str, ...]] = {
    "replies": (Kind.REPLY, Kind.MENTION, Kind.THREAD_COMMENT),
    "answers": (Kind.THEME_RESPONSE,),
    "consultations": (
        Kind.CONSULTATION_OPENED,
        Kind.CONSULTATION_CLOSING,
        Kind.CONSULTATION_CLOSED,
        Kind.OUTCOME_PUBLISHED,
    ),
    "moderation": (),
}
MAIL_DEFAULTS = {  # the defaults: digests for news, at once for decisions about you
    "replies": "daily",
    "answers": "daily",
    "consultations": "daily",
    "moderation": "immediate",
}
DIGESTS = ("daily", "weekly")


def mail_group(kind: str) -> str:
    """The e-mail preference group a notification kind belongs to."""
    for group, kinds in MAIL_GROUPS.items():
        if kind in kinds:
            return group
    return "moderation"


def check_frequency(group: str, frequency: str) -> None:
    """Refuse an unknown group or frequency."""
    if group not in MAIL_GROUPS:
        raise ValidationError("invalid_parameter", field="kind")
    if frequency not in ("immediate", "daily", "weekly", "never"):
        raise ValidationError("invalid_parameter", field=group)


# A comment gives each person at most one notification: the strongest reason wins.
COMMENT_KINDS = (Kind.REPLY, Kind.MENTION, Kind.THREAD_COMMENT)

# "@" starts a mention unless it follows a Latin letter, a digit or an e-mail character (an
# address; Chinese text writes "謝謝@陳大文" without a space); the name runs until white space
# or punctuation.
_MENTION = re.compile(
    r"(?<![A-Za-z0-9._%+-])@([^\s@#<>()\[\]{}「」『』（），。、：；！？,.:;!?\"'`*_~|\\/]{1,80})"
)


def mention_candidates(text: str) -> list[str]:
    """Every name an @ in `text` might stand for: each prefix of the run after the @ (a Chinese
    name is followed by text without a space: "@王小明你好" may mean 王小明)."""
    names: list[str] = []
    for match in _MENTION.finditer(text):
        run = match.group(1)[:MAX_NAME]
        names.extend(run[:n] for n in range(1, len(run) + 1))
    return names


def resolve_mentions(text: str, known: Iterable[str]) -> list[str]:
    """The display names mentioned in `text`: for each @, the longest known name it starts with."""
    names = set(known)
    found: list[str] = []
    for match in _MENTION.finditer(text):
        run = match.group(1)[:MAX_NAME]
        for n in range(len(run), 0, -1):
            if run[:n] in names:
                if run[:n] not in found:
                    found.append(run[:n])
                break
    return found


def follow_refusal(
    actor: Actor | None,
    target_type: str,
    *,
    consultation: ConsultationLike | None = None,
    comment_author_id: int | None = None,
) -> str | None:
    """Why `actor` may not follow this target (an error code), or None.

    A consultation or thread must be visible to them (drafts: their agency's staff only); a
    comment must be their own; any agency may be followed. `consultation` is the target's (or
    the thread's) consultation."""
    if actor is None:
        return "not_authenticated"
    if target_type not in {t.value for t in FollowTarget}:
        return "invalid_follow_target"
    if target_type == FollowTarget.COMMENT and comment_author_id != actor.id:
        return "follow_own_comments_only"
    if consultation is not None and not can_view_consultation(actor, consultation):
        return "not_found"
    return None


def check_follow(actor: Actor | None, target_type: str, **kwargs: object) -> None:
    """Raise the refusal of `follow_refusal`, if any."""
    code = follow_refusal(actor, target_type, **kwargs)  # type: ignore[arg-type]
    if code == "not_authenticated":
        raise NotAuthenticated()
    if code == "not_found":
        raise NotFound()
    if code == "invalid_follow_target":
        raise ValidationError(code, field="target_type")
    if code is not None:
        raise Forbidden(code)
