"""The Polis open-data format (file names, columns, what `moderated` means) and the helpers
import and export share.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ...errors import Forbidden, NotAuthenticated, NotFound
from ...models import CommentStatus
from ..comments import MAX_COMMENT_CHARS

PLATFORM = "polis"
IMPORT_AGENCY = "IMPORT"
IMPORT_AGENCY_NAME = "外部平台匯入 (imported conversations)"
COMMENTS_CSV = "comments.csv"
VOTES_CSV = "votes.csv"
PARTICIPANTS_CSV = "participants-votes.csv"
SUMMARY_CSV = "summary.csv"
OFFICIALS_CSV = "officials.csv"  # only when officials wrote comments
OFFICIAL_HEADER = ("participant", "official-role", "agency-code", "agency-name")
COMMENT_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTE_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_META = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
# The columns import reads; "datetime", "agrees" and "disagrees" are derived data (counts are
# recomputed from the votes).
COMMENT_REQUIRED = ("timestamp", "comment-id", "author-id", "moderated", "comment-body")
VOTE_REQUIRED = ("timestamp", "comment-id", "voter-id", "vote")
STATUS_OF = {
    1: CommentStatus.VISIBLE.value,
    0: CommentStatus.PENDING.value,
    -1: CommentStatus.HIDDEN.value,
}
MODERATED_OF = {status: moderated for moderated, status in STATUS_OF.items()}
MAX_BODY = MAX_COMMENT_CHARS
MAX_SLUG = 40
# werkzeug's check_password_hash needs "method$salt$hash": this never matches any password.
UNUSABLE_PASSWORD = "!polis-import"
HIDDEN_NOTE = "Moderated out in Polis (moderated = -1) before the import."
PENDING_NOTE = "Never accepted by a Polis moderator (moderated = 0) before the import."
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 500
EMAIL_RE = re.compile(r"^polis-.+-(\d+)@imported\.invalid$")
ORIGIN_RE = re.compile(r"^polis:[^#]+#(\d+)$")


def from_millis(ms: int) -> datetime:
    return (_EPOCH + timedelta(milliseconds=ms)).astimezone(UTC)


def to_millis(when: datetime) -> int:
    return (when - _EPOCH) // timedelta(milliseconds=1)


def refuse(code: str | None, **params: Any) -> None:
    if code is None:
        return
    if code == "not_authenticated":
        raise NotAuthenticated(code)
    if code == "consultation_not_found":
        raise NotFound(code)
    raise Forbidden(code, **params)


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT (psycopg pipelines it). Measured on PostgreSQL with 61k votes:
    about twice as fast as RETURNING-batched multi-row INSERTs, and far faster than rendering
    large multi-row VALUES statements, whose compilation is never cached."""
    if rows:
        session.execute(insert(model), list(rows))


def participant_email(slug: str, pid: int) -> str:
    return f"polis-{slug}-{pid}@imported.invalid"
