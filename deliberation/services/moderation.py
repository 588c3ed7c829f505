"""Moderation use cases: flags, the queue, actions on comments and threads, sanctions, appeals,
settings, notices, the append-only log, the public transparency counts, and the only door
through which analysis reads comment text.

Every function takes the actor, checks the pure rules in ``deliberation/moderation.py``, writes
the change, one ``ModerationAction`` log row and (when a thread's display changes) one thread
event, and flushes; the caller commits once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from .. import moderation as policy
from .. import rules
from ..accounts.rules import WITHDRAWN_TEXT
from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import (
    Appeal,
    AppealStatus,
    Comment,
    CommentRevision,
    CommentStatus,
    Consultation,
    Flag,
    IdempotencyKey,
    ModerationAction,
    ModerationSettings,
    Notification,
    Role,
    Sanction,
    SanctionKind,
    Thread,
    User,
    Vote,
    utcnow,
)
from ..sanitize import clean_line, plain_text, render_markdown
from . import comments

PENDING, VISIBLE, HIDDEN = (
    CommentStatus.PENDING.value,
    CommentStatus.VISIBLE.value,
    CommentStatus.HIDDEN.value,
)
QUEUE_STATUSES = ("open", "pending", "flagged", "hidden", "appeals")
HOLD_RULES = ("personal_data", "keyword", "link_spam", "flag_threshold", "premoderation")
QUEUE_SORTS = ("oldest", "newest", "flags")


# ---- small helpers ------------------------------------------------------------------------------


def require_moderator(actor: User | None) -> User:
    """The actor if they may moderate; NotAuthenticated or Forbidden (with the reason) if not."""
    refusal = policy.moderator_refusal(actor)
    if refusal == "not_authenticated":
        raise NotAuthenticated(refusal)
    if refusal:
        raise Forbidden(refusal)
    assert actor is not None
    return actor


def _note(note: str | None) -> str:
    text = clean_line(note or "")
    if len(text) > policy.MAX_NOTE:
        raise ValidationError("note_too_long", field="note", max=policy.MAX_NOTE)
    return text


def _reason(action: str, reason: str | None, default: str = "") -> str:
    reason = (reason or "").strip() or default
    if not reason:
        if action in policy.REASON_REQUIRED:
            raise ValidationError("reason_required", field="reason")
        return ""
    if reason not in policy.RULE_CODES:
        raise ValidationError("invalid_reason", field="reason")
    return reason


def _is_int(value: object, low: int | None = None, high: int | None = None) -> bool:
    """Whether `value` is an integer (a bool is not one) within the bounds given."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _sanction_state(kind: str) -> str:
    """The account state a sanction of this kind puts in force (a log status, a notice kind)."""
    return "muted" if kind == SanctionKind.MUTE.value else "suspended"


def log_action(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    comment: Comment | None = None,
    thread: Thread | None = None,
    consultation_id: int | None = None,
    subject_user_id: int | None = None,
    reason: str = "",
    rule: str = "",
    note: str = "",
    before: str = "",
    after: str = "",
    original: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ModerationAction:
    """Append one row to the moderation log (the only way rows get there)."""
    if comment is not None and thread is None:
        thread = comment.thread
    row = ModerationAction(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        comment_id=comment.id if comment is not None else None,
        thread_id=thread.id if thread is not None else None,
        consultation_id=consultation_id
        if consultation_id is not None
        else (thread.consultation_id if thread is not None else None),
        subject_user_id=subject_user_id
        if subject_user_id is not None
        else (comment.author_id if comment is not None else None),
        reason=reason,
        rule=rule,
        note=note,
        before_status=before,
        after_status=after,
        original=original,
    )
    session.add(row)
    return row


def notify(
    session: Session,
    user_id: int,
    kind: str,
    *,
    comment_id: int | None = None,
    sanction_id: int | None = None,
    appeal_id: int | None = None,
    reason: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Notification:
    item = Notification(
        user_id=user_id,
        kind=kind,
        comment_id=comment_id,
        sanction_id=sanction_id,
        appeal_id=appeal_id,
        reason=reason,
        note=note,
        created_at=now or utcnow(),
    )
    session.add(item)
    return item


def _shift_reply_counts(session: Session, comment: Comment, before: str, after: str) -> None:
    """Reply counts shown to the public count public replies only (never pending ones)."""
    if comment.parent_id is None or policy.is_public(before) == policy.is_public(after):
        return
    parent = session.get(Comment, comment.parent_id)
    if parent is not None:
        comments._add_to_ancestors(session, parent, +1 if policy.is_public(after) else -1)


# ---- settings -------------------------------------------------------------------------------------


def _settings_row(session: Session, consultation_id: int | None) -> ModerationSettings | None:
    cond = (
        ModerationSettings.consultation_id.is_(None)
        if consultation_id is None
        else ModerationSettings.consultation_id == consultation_id
    )
    return session.scalar(select(ModerationSettings).where(cond).order_by(ModerationSettings.id))


def settings_for(session: Session, consultation_id: int | None) -> policy.Settings:
    """The automatic-hold settings in force for a consultation (or the site's, for None)."""
    rows = list(
        session.scalars(
            select(ModerationSettings)
            .where(
                or_(
                    ModerationSettings.consultation_id.is_(None),
                    ModerationSettings.consultation_id == consultation_id,
                )
            )
            .order_by(ModerationSettings.id)
        )
    )
    site = next((r for r in rows if r.consultation_id is None), None)
    local = next(
        (r for r in rows if consultation_id is not None and r.consultation_id == consultation_id),
        None,
    )
    return policy.effective_settings(site, local)


def settings_row(session: Session, consultation_id: int | None) -> ModerationSettings | None:
    return _settings_row(session, consultation_id)


_INT_LIMITS = {"flag_threshold": (1, 100), "link_limit": (0, 100), "new_account_days": (0, 3650)}


def update_settings(
    session: Session,
    *,
    actor: User | None,
    consultation: Consultation | None,
    premoderation: bool | None = None,
    flag_threshold: int | None = None,
    hold_personal_data: bool | None = None,
    keywords: str | None = None,
    link_limit: int | None = None,
    new_account_days: int | None = None,
    now: datetime | None = None,
) -> ModerationSettings:
    """Save site (consultation None) or consultation settings; None fields inherit."""
    now = now or utcnow()
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    if not policy.can_configure(actor, consultation):
        raise Forbidden("moderators_only")
    values: dict[str, Any] = {
        "flag_threshold": flag_threshold,
        "link_limit": link_limit,
        "new_account_days": new_account_days,
    }
    for name, value in values.items():
        low, high = _INT_LIMITS[name]
        if value is not None and not _is_int(value, low, high):
            raise ValidationError("invalid_setting", field=name, low=low, high=high)
    if keywords is not None:
        words = policy.parse_keywords(keywords)
        if len(words) > 500 or any(len(w) > 100 for w in words):
            raise ValidationError("invalid_setting", field="keywords", low=1, high=100)
        keywords = "\n".join(clean_line(w) for w in words)
    consultation_id = consultation.id if consultation is not None else None
    row = _settings_row(session, consultation_id)
    if row is None:
        row = ModerationSettings(consultation_id=consultation_id)
        session.add(row)
    before = _settings_summary(row)
    row.premoderation = premoderation
    row.flag_threshold = flag_threshold
    row.hold_personal_data = hold_personal_data
    row.keywords = keywords
    row.link_limit = link_limit
    row.new_account_days = new_account_days
    row.updated_at = now
    row.updated_by_id = actor.id
    after = _settings_summary(row)
    if before != after:
        log_action(
            session,
            actor=actor,
            action="settings",
            target_type="consultation" if consultation is not None else "site",
            target_id=consultation_id,
            consultation_id=consultation_id,
            note=after,
            before="premoderation" if "premoderation=True" in before else "",
            after="premoderation" if premoderation else "",
            now=now,
        )
    session.flush()
    return row


def _settings_summary(row: ModerationSettings) -> str:
    return (
        f"premoderation={row.premoderation} flag_threshold={row.flag_threshold} "
        f"hold_personal_data={row.hold_personal_data} link_limit={row.link_limit} "
        f"new_account_days={row.new_account_days} "
        f"keywords={len(policy.parse_keywords(row.keywords)) if row.keywords is not None else None}"
    )


# ---- sanctions, slow mode and automatic holds at posting time ------------------------------------


def active_sanctions(session: Session, user_id: int, now: datetime | None = None) -> list[Sanction]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Sanction).where(
                Sanction.user_id == user_id,
                Sanction.lifted_at.is_(None),
                Sanction.starts_at <= now,
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
            )
        )
    )


def check_participation(session: Session, actor: User, now: datetime | None = None) -> None:
    """Refuse a muted or suspended account (posting, editing, voting, flagging)."""
    refusal = policy.participation_refusal(active_sanctions(session, actor.id, now))
    if refusal is not None:
        code, until = refusal
        if until is None:
            raise Forbidden(f"{code}_indefinitely")
        raise Forbidden(code, until=until.strftime("%Y-%m-%d %H:%M UTC"), until_at=until)


def screen_post(
    session: Session,
    thread: Thread,
    actor: User,
    text: str,
    tokens: str | None,
    now: datetime,
) -> policy.Hold | None:
    """Checks before a comment is written: sanctions, slow mode; then which hold applies."""
    check_participation(session, actor, now)
    moderator = rules.is_moderator(actor)
    if thread.slow_mode_seconds and not moderator:
        last = session.scalar(
            select(func.max(Comment.created_at)).where(
                Comment.thread_id == thread.id, Comment.author_id == actor.id
            )
        )
        if last is not None and last.tzinfo is None:  # SQLite aggregate loses the type
            last = last.replace(tzinfo=now.tzinfo)
        wait = policy.slow_mode_wait(last, thread.slow_mode_seconds, now)
        if wait:
            raise Forbidden("slow_mode", seconds=wait)
    settings = settings_for(session, thread.consultation_id)
    return policy.hold_for(
        text,
        settings,
        author_joined=actor.created_at,
        now=now,
        tokens=tokens.split() if tokens else None,
        author_is_moderator=moderator,
    )


def record_hold(
    session: Session, comment: Comment, hold: policy.Hold, *, before: str, now: datetime
) -> ModerationAction:
    """The log row and the author's notice for an automatic hold."""
    row = log_action(
        session,
        actor=None,
        action="hold",
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=hold.reason,
        rule=hold.rule,
        note=hold.detail,
        before=before,
        after=PENDING,
        now=now,
    )
    notify(
        session,
        comment.author_id,
        "comment_held",
        comment_id=comment.id,
        reason=hold.reason or hold.rule,
        note=hold.rule,
        now=now,
    )
    return row


def screen_edit(session: Session, comment: Comment, actor: User, now: datetime) -> None:
    """After an edit: a visible comment whose new text trips a hold goes back to pending."""
    if comment.status != VISIBLE:
        return
    hold = policy.hold_for(
        comment.body,
        settings_for(session, comment.thread.consultation_id),
        author_joined=actor.created_at,
        now=now,
        tokens=comment.tokens.split() if comment.tokens else None,
        author_is_moderator=rules.is_moderator(actor),
    )
    if hold is None:
        return
    _hold_visible(session, comment, hold, now)


def _hold_visible(session: Session, comment: Comment, hold: policy.Hold, now: datetime) -> bool:
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == VISIBLE)
        .values(status=PENDING, held_by=hold.rule, pinned=False, version=Comment.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _shift_reply_counts(session, comment, VISIBLE, PENDING)
    record_hold(session, comment, hold, before=VISIBLE, now=now)
    comments.record_event(session, comment.thread_id, policy.EVENT_TYPES["hold"], comment.id)
    session.flush()
    session.refresh(comment)
    return True


# ---- flags --------------------------------------------------------------------------------------


@dataclass
class FlagResult:
    flag: Flag
    held: bool


def flag_comment(
    session: Session,
    comment_id: int,
    *,
    actor: User | None,
    reason: str,
    note: str | None = None,
    now: datetime | None = None,
) -> FlagResult:
    """Report a comment; the Nth distinct open flag (per settings) holds it for review."""
    now = now or utcnow()
    refusal = rules.participation_refusal(actor)  # logged in, active, verified address
    if refusal is not None:
        raise (NotAuthenticated if actor is None else Forbidden)(refusal)
    assert actor is not None
    if reason not in policy.FLAG_REASONS:
        raise ValidationError("invalid_flag_reason", field="reason")
    text = _note(note)
    if reason == "other" and not text:
        raise ValidationError("note_required", field="note")
    comment = comments.get_comment(session, comment_id, actor)
    if comment.status == HIDDEN:
        raise Conflict("comment_hidden")
    if comment.author_id == actor.id:
        raise Conflict("cannot_flag_own")
    check_participation(session, actor, now)
    if session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.user_id == actor.id)
    ):
        raise Conflict("already_flagged")
    flag = Flag(comment_id=comment.id, user_id=actor.id, reason=reason, note=text, created_at=now)
    try:
        with session.begin_nested():
            session.add(flag)
            session.flush()
    except IntegrityError:
        raise Conflict("already_flagged") from None
    count = session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(flag_count=Comment.flag_count + 1)
        .returning(Comment.flag_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    held = False
    threshold = settings_for(session, comment.thread.consultation_id).flag_threshold
    if comment.status == VISIBLE and count >= threshold:
        reasons = Counter(
            session.scalars(
                select(Flag.reason).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
            )
        )
        top = reasons.most_common(1)[0][0] if reasons else reason
        hold = policy.Hold(
            top if top in policy.RULE_CODES else "other", "flag_threshold", f"{count} flags"
        )
        held = _hold_visible(session, comment, hold, now)
    session.flush()
    session.refresh(comment)
    return FlagResult(flag, held)


# ---- actions on a comment -----------------------------------------------------------------------


@dataclass
class ActionResult:
    comment: Comment
    changed: bool
    log: ModerationAction | None = None


def _load_comment(session: Session, comment_id: int) -> Comment:
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(joinedload(Comment.thread).joinedload(Thread.consultation))
        .execution_options(populate_existing=True)
    )
    if comment is None:
        raise NotFound("comment_not_found")
    return comment


def _outcome(
    comment: Comment, action: str, duplicate_of: int | None, *, stale: bool
) -> policy.Outcome | None:
    """The outcome to apply, or None when it already holds (a harmless repeat).

    A stale request whose result does not already hold is a conflict, whatever it asked for:
    the moderator decided on a state that is gone.
    """
    outcome = policy.comment_outcome(
        action,
        comment.status,
        pinned=comment.pinned,
        flag_count=comment.flag_count,
        duplicate_of_id=comment.duplicate_of_id,
        new_duplicate_of_id=duplicate_of,
    )
    if isinstance(outcome, policy.Outcome) and not outcome.changed:
        return None
    if stale:
        raise Conflict("moderation_conflict", state=comment.status)
    if isinstance(outcome, str):
        raise Conflict(outcome, state=comment.status)
    return outcome


def act_on_comment(
    session: Session,
    comment_id: int,
    *,
    actor: User | None,
    action: str,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    duplicate_of: int | None = None,
    redact_texts: Sequence[str] = (),
    now: datetime | None = None,
) -> ActionResult:
    """Approve, hide, restore, redact, pin, unpin or mark a comment as a duplicate.

    Compare-and-set on (version, status): of two moderators acting on the same state, the second
    gets Conflict("moderation_conflict") unless its action's result already holds, in which case
    (as for any repeat) nothing changes and nothing is logged.
    """
    now = now or utcnow()
    actor = require_moderator(actor)
    if action not in policy.COMMENT_ACTIONS:
        raise ValidationError("invalid_action", field="action")
    defaults = {"redact": "personal_data", "mark_duplicate": "duplicate"}
    reason = _reason(action, reason, defaults.get(action, ""))
    text_note = _note(note)
    if expected_version is not None and not _is_int(expected_version):
        raise ValidationError("invalid_field", field="version")
    comment = _load_comment(session, comment_id)
    target: Comment | None = None
    if action == "mark_duplicate":
        if duplicate_of is None or not _is_int(duplicate_of):
            raise ValidationError("duplicate_of_required", field="duplicate_of")
        target = session.get(Comment, duplicate_of)
        if (
            target is None
            or target.id == comment.id
            or target.status != VISIBLE
            or target.thread.consultation_id != comment.thread.consultation_id
        ):
            raise ValidationError("invalid_duplicate", field="duplicate_of")
    if action == "redact":
        return _redact(
            session, comment, actor, reason, text_note, redact_texts, expected_version, now
        )

    stale = expected_version is not None and expected_version != comment.version
    outcome = _outcome(comment, action, duplicate_of, stale=stale)
    if outcome is None:
        return ActionResult(comment, False)
    before = comment.status
    values: dict[Any, Any] = {
        Comment.status: outcome.status,
        Comment.pinned: outcome.pinned,
        Comment.version: Comment.version + 1,
    }
    decides = action in ("approve", "hide", "restore", "mark_duplicate")
    if decides:
        values[Comment.flag_count] = 0
        values[Comment.held_by] = None
    if action == "mark_duplicate":
        values[Comment.duplicate_of_id] = duplicate_of
    elif action == "restore":
        values[Comment.duplicate_of_id] = None
    result = session.execute(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.version == comment.version,
            Comment.status == comment.status,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # Someone else acted between our read and our write: judge again on what is there now.
        comment = _load_comment(session, comment_id)
        if _outcome(comment, action, duplicate_of, stale=True) is None:
            return ActionResult(comment, False)
        raise Conflict("moderation_conflict", state=comment.status)
    if decides:
        session.execute(
            update(Flag)
            .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )
    _shift_reply_counts(session, comment, before, outcome.status)
    row = log_action(
        session,
        actor=actor,
        action=action,
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=reason,
        note=text_note,
        before=before,
        after=outcome.status,
        now=now,
    )
    comments.record_event(session, comment.thread_id, policy.EVENT_TYPES[action], comment.id)
    kind = {
        "hide": "comment_hidden",
        "mark_duplicate": "comment_hidden",
        "restore": "comment_restored",
    }.get(action)
    if action == "approve" and before == PENDING:
        kind = "comment_approved"
    if kind:
        notify(
            session,
            comment.author_id,
            kind,
            comment_id=comment.id,
            reason=reason,
            note=text_note,
            now=now,
        )
    session.flush()
    return ActionResult(_load_comment(session, comment.id), True, row)


def _redact(
    session: Session,
    comment: Comment,
    actor: User,
    reason: str,
    note: str,
    texts: Sequence[str],
    expected_version: int | None,
    now: datetime,
) -> ActionResult:
    """Replace personal data (found automatically, plus any texts given) in the comment and in
    its earlier revisions; the originals go to the log row, for admins only."""
    extra = [t for t in (str(x).strip() for x in texts) if t]
    if any(len(t) > 500 for t in extra):
        raise ValidationError("invalid_field", field="texts")
    new_body, count = policy.redact(comment.body, policy.find_personal_data(comment.body), extra)
    revs = list(
        session.scalars(select(CommentRevision).where(CommentRevision.comment_id == comment.id))
    )
    rev_changes = []
    for rev in revs:
        body, n = policy.redact(rev.body, policy.find_personal_data(rev.body), extra)
        if n:
            rev_changes.append((rev, body))
    if count == 0 and not rev_changes:
        return ActionResult(comment, False)  # nothing (left) to redact: a harmless repeat
    if expected_version is not None and expected_version != comment.version:
        raise Conflict("moderation_conflict", state=comment.status)
    original = {
        "body": comment.body,
        "revisions": {str(rev.version): rev.body for rev, _ in rev_changes},
    }
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.version == comment.version)
        .values(
            body=new_body,
            html=render_markdown(new_body),
            tokens=comments._tokens(new_body),
            version=Comment.version + 1,
            redacted_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("moderation_conflict", state=comment.status)
    for rev, body in rev_changes:
        rev.body = body
        rev.html = render_markdown(body)
    _scrub_replays(session, comment.author_id, comment.id)
    row = log_action(
        session,
        actor=actor,
        action="redact",
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=reason,
        note=note or f"{count} span(s)",
        before=comment.status,
        after=comment.status,
        original=original,
        now=now,
    )
    comments.record_event(session, comment.thread_id, policy.EVENT_TYPES["redact"], comment.id)
    notify(
        session,
        comment.author_id,
        "comment_redacted",
        comment_id=comment.id,
        reason=reason,
        now=now,
    )
    session.flush()
    return ActionResult(_load_comment(session, comment.id), True, row)


def _scrub_replays(session: Session, user_id: int, comment_id: int) -> None:
    """Stored idempotent answers carry the comment's old HTML: drop the text from them."""
    for key in session.scalars(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id)):
        response = key.response
        if isinstance(response, dict) and response.get("id") == comment_id:
            key.response = {**response, "html": ""}


# ---- threads ------------------------------------------------------------------------------------


def act_on_thread(
    session: Session,
    thread_id: int,
    *,
    actor: User | None,
    action: str,
    reason: str | None = None,
    note: str | None = None,
    seconds: int | None = None,
    now: datetime | None = None,
) -> tuple[Thread, bool]:
    """Lock or unlock a thread, or set its slow mode (seconds, 0 = off)."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if action not in policy.THREAD_ACTIONS:
        raise ValidationError("invalid_action", field="action")
    reason = _reason(action, reason)
    text_note = _note(note)
    thread = session.scalar(
        select(Thread).where(Thread.id == thread_id).options(joinedload(Thread.consultation))
    )
    if thread is None:
        raise NotFound("thread_not_found")
    if action == "slow_mode":
        if seconds is None or not _is_int(seconds, 0, policy.MAX_SLOW_MODE):
            raise ValidationError("invalid_slow_mode", field="seconds", max=policy.MAX_SLOW_MODE)
        if thread.slow_mode_seconds == seconds:
            return thread, False
        before, after = str(thread.slow_mode_seconds), str(seconds)
        thread.slow_mode_seconds = seconds
        event = None
    else:
        locked = action == "lock"
        if thread.locked == locked:
            return thread, False
        before = "locked" if thread.locked else "open"
        after = "locked" if locked else "open"
        session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(locked=locked)
            .execution_options(synchronize_session=False)
        )
        event = "thread_locked" if locked else "thread_unlocked"
    log_action(
        session,
        actor=actor,
        action=action,
        target_type="thread",
        target_id=thread.id,
        thread=thread,
        reason=reason,
        note=text_note,
        before=before,
        after=after,
        now=now,
    )
    if event:
        comments.record_event(session, thread.id, event, None)
    session.flush()
    session.refresh(thread)
    return thread, True


# ---- sanctions ----------------------------------------------------------------------------------


def sanction_user(
    session: Session,
    user_id: int,
    *,
    actor: User | None,
    kind: str,
    reason: str | None,
    note: str | None = None,
    days: int | None = None,
    comment_id: int | None = None,
    now: datetime | None = None,
) -> Sanction:
    """Mute (read-only for `days`) or suspend (until lifted, or for `days`) an account."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if kind not in policy.SANCTION_KINDS:
        raise ValidationError("invalid_sanction", field="kind")
    reason = _reason(kind, reason)
    text_note = _note(note)
    if days is not None and not _is_int(days, 1, policy.MAX_MUTE_DAYS):
        raise ValidationError("invalid_days", field="days", max=policy.MAX_MUTE_DAYS)
    if kind == SanctionKind.MUTE.value and days is None:
        raise ValidationError("invalid_days", field="days", max=policy.MAX_MUTE_DAYS)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    if user.id == actor.id or (user.role == Role.ADMIN and actor.role != Role.ADMIN):
        raise Forbidden("cannot_sanction")
    consultation_id = None
    if comment_id is not None:
        related = session.get(Comment, comment_id)
        if related is None or related.author_id != user.id:
            raise ValidationError("invalid_field", field="comment_id")
        consultation_id = related.thread.consultation_id
    sanction = Sanction(
        user_id=user.id,
        kind=kind,
        reason=reason,
        note=text_note,
        starts_at=now,
        ends_at=now + timedelta(days=days) if days else None,
        created_by_id=actor.id,
    )
    session.add(sanction)
    session.flush()
    log_action(
        session,
        actor=actor,
        action=kind,
        target_type="user",
        target_id=user.id,
        subject_user_id=user.id,
        consultation_id=consultation_id,
        reason=reason,
        note=text_note,
        before="",
        after=_sanction_state(kind),
        now=now,
    )
    notify(
        session,
        user.id,
        _sanction_state(kind),
        sanction_id=sanction.id,
        reason=reason,
        note=text_note,
        now=now,
    )
    session.flush()
    return sanction


def lift_sanction(
    session: Session,
    sanction_id: int,
    *,
    actor: User | None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Sanction, bool]:
    """Lift a sanction now; lifting a lifted one changes nothing."""
    now = now or utcnow()
    actor = require_moderator(actor)
    text_note = _note(note)
    sanction = session.get(Sanction, sanction_id)
    if sanction is None:
        raise NotFound("sanction_not_found")
    if sanction.lifted_at is not None:
        return sanction, False
    result = session.execute(
        update(Sanction)
        .where(Sanction.id == sanction.id, Sanction.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by_id=actor.id, lift_reason=text_note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(sanction)
        return sanction, False
    log_action(
        session,
        actor=actor,
        action="lift",
        target_type="user",
        target_id=sanction.user_id,
        subject_user_id=sanction.user_id,
        reason=sanction.reason,
        note=text_note,
        before=_sanction_state(sanction.kind),
        after="",
        now=now,
    )
    notify(
        session,
        sanction.user_id,
        "sanction_lifted",
        sanction_id=sanction.id,
        reason=sanction.reason,
        note=text_note,
        now=now,
    )
    session.flush()
    session.refresh(sanction)
    return sanction, True


# ---- appeals ------------------------------------------------------------------------------------


def submit_appeal(
    session: Session,
    *,
    actor: User | None,
    body: str,
    comment_id: int | None = None,
    sanction_id: int | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The author's one appeal against a hidden comment, or the user's against a sanction."""
    now = now or utcnow()
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    text = (body or "").strip()
    if not text:
        raise ValidationError("appeal_required", field="body")
    if len(text) > policy.MAX_APPEAL:
        raise ValidationError("appeal_too_long", field="body", max=policy.MAX_APPEAL)
    if (comment_id is None) == (sanction_id is None):
        raise ValidationError("invalid_field", field="comment_id")
    consultation_id = None
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.author_id != actor.id:
            raise NotFound("comment_not_found")
        if comment.status != HIDDEN:
            raise Conflict("appeal_not_hidden")
        exists_q = select(Appeal.id).where(Appeal.comment_id == comment_id)
        consultation_id = comment.thread.consultation_id
    else:
        sanction = session.get(Sanction, sanction_id)
        if sanction is None or sanction.user_id != actor.id:
            raise NotFound("sanction_not_found")
        if sanction.lifted_at is not None:
            raise Conflict("appeal_not_needed")
        exists_q = select(Appeal.id).where(Appeal.sanction_id == sanction_id)
    if session.scalar(exists_q) is not None:
        raise Conflict("appeal_exists")
    appeal = Appeal(
        user_id=actor.id,
        comment_id=comment_id,
        sanction_id=sanction_id,
        body=text,
        html=render_markdown(text),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(appeal)
            session.flush()
    except IntegrityError:
        raise Conflict("appeal_exists") from None
    log_action(
        session,
        actor=actor,
        action="appeal",
        target_type="appeal",
        target_id=appeal.id,
        comment=session.get(Comment, comment_id) if comment_id else None,
        consultation_id=consultation_id,
        subject_user_id=actor.id,
        before="",
        after=AppealStatus.OPEN.value,
        now=now,
    )
    session.flush()
    return appeal


def decide_appeal(
    session: Session,
    appeal_id: int,
    *,
    actor: User | None,
    decision: str,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Appeal, bool]:
    """Uphold (restore the comment / lift the sanction) or reject an appeal; once."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if decision not in ("uphold", "reject"):
        raise ValidationError("invalid_decision", field="decision")
    text_note = _note(note)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("appeal_not_found")
    status = AppealStatus.UPHELD.value if decision == "uphold" else AppealStatus.REJECTED.value
    if appeal.status != AppealStatus.OPEN.value:
        if appeal.status == status:
            return appeal, False
        raise Conflict("appeal_decided", state=appeal.status)
    result = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == AppealStatus.OPEN.value)
        .values(status=status, decided_at=now, decided_by_id=actor.id, decision_note=text_note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(appeal)
        if appeal.status == status:
            return appeal, False
        raise Conflict("appeal_decided", state=appeal.status)
    comment = session.get(Comment, appeal.comment_id) if appeal.comment_id else None
    if decision == "uphold":
        if comment is not None:
            act_on_comment(
                session, comment.id, actor=actor, action="restore", note=text_note, now=now
            )
        elif appeal.sanction_id is not None:
            lift_sanction(session, appeal.sanction_id, actor=actor, note=text_note, now=now)
    log_action(
        session,
        actor=actor,
        action=f"appeal_{status}",
        target_type="appeal",
        target_id=appeal.id,
        comment=comment,
        subject_user_id=appeal.user_id,
        note=text_note,
        before=AppealStatus.OPEN.value,
        after=status,
        now=now,
    )
    notify(
        session,
        appeal.user_id,
        f"appeal_{status}",
        appeal_id=appeal.id,
        comment_id=appeal.comment_id,
        note=text_note,
        now=now,
    )
    session.flush()
    session.refresh(appeal)
    return appeal, True


# ---- the queue ----------------------------------------------------------------------------------


@dataclass
class QueuePage:
    items: list[Comment]
    flags: dict[int, list[Flag]] = field(default_factory=dict)
    appeals: list[Appeal] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _queue_filter(
    stmt: Select[Any],
    *,
    status: str,
    consultation_id: int | None,
    reason: str | None,
    older_than_hours: int | None,
    now: datetime,
) -> Select[Any]:
    if status == "pending":
        stmt = stmt.where(Comment.status == PENDING)
    elif status == "flagged":
        stmt = stmt.where(Comment.flag_count > 0, Comment.status != HIDDEN)
    elif status == "hidden":
        stmt = stmt.where(Comment.status == HIDDEN)
    else:
        stmt = stmt.where(
            or_(Comment.status == PENDING, and_(Comment.flag_count > 0, Comment.status == VISIBLE))
        )
    if consultation_id is not None:
        stmt = stmt.where(
            Comment.thread_id.in_(
                select(Thread.id).where(Thread.consultation_id == consultation_id)
            )
        )
    if reason:
        open_flag = exists(
            select(Flag.id).where(
                Flag.comment_id == Comment.id, Flag.reason == reason, Flag.resolved_at.is_(None)
            )
        )
        stmt = stmt.where(or_(Comment.held_by == reason, open_flag))
    if older_than_hours:
        stmt = stmt.where(Comment.created_at <= now - timedelta(hours=older_than_hours))
    return stmt


def queue(
    session: Session,
    *,
    actor: User | None,
    status: str = "open",
    consultation_id: int | None = None,
    reason: str | None = None,
    older_than_hours: int | None = None,
    sort: str = "oldest",
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> QueuePage:
    """A page of the moderation queue: comments awaiting a decision, or the open appeals."""
    now = now or utcnow()
    require_moderator(actor)
    if status not in QUEUE_STATUSES:
        raise ValidationError("invalid_parameter", field="status")
    if sort not in QUEUE_SORTS:
        raise ValidationError("invalid_parameter", field="sort")
    if reason and reason not in policy.RULE_CODES and reason not in HOLD_RULES:
        raise ValidationError("invalid_parameter", field="reason")
    if status == "appeals":
        return _appeals_page(session, consultation_id, page, per_page)
    total = (
        session.scalar(
            _queue_filter(
                select(func.count(Comment.id)),
                status=status,
                consultation_id=consultation_id,
                reason=reason,
                older_than_hours=older_than_hours,
                now=now,
            )
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order: list[Any] = {
        "oldest": [Comment.created_at.asc(), Comment.id.asc()],
        "newest": [Comment.created_at.desc(), Comment.id.desc()],
        "flags": [Comment.flag_count.desc(), Comment.created_at.asc(), Comment.id.asc()],
    }[sort]
    # Two steps: order and cut narrow rows (ids) first, then load 25 full rows with their
    # context; sorting 10,000 full rows (bodies included) is what made the page slow.
    ids_page = list(
        session.scalars(
            _queue_filter(
                select(Comment.id),
                status=status,
                consultation_id=consultation_id,
                reason=reason,
                older_than_hours=older_than_hours,
                now=now,
            )
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    loaded = (
        {
            c.id: c
            for c in session.scalars(
                select(Comment)
                .where(Comment.id.in_(ids_page))
                .options(
                    joinedload(Comment.author),
                    joinedload(Comment.thread).joinedload(Thread.consultation),
                    joinedload(Comment.thread).joinedload(Thread.section),
                    joinedload(Comment.parent),
                )
            )
        }
        if ids_page
        else {}
    )
    items = [loaded[i] for i in ids_page if i in loaded]
    flags: dict[int, list[Flag]] = {}
    ids = [c.id for c in items if c.flag_count > 0]
    if ids:
        for flag in session.scalars(
            select(Flag)
            .where(Flag.comment_id.in_(ids), Flag.resolved_at.is_(None))
            .order_by(Flag.id)
        ):
            flags.setdefault(flag.comment_id, []).append(flag)
    return QueuePage(items=items, flags=flags, total=total, page=page, pages=pages)


def _appeals_page(
    session: Session, consultation_id: int | None, page: int, per_page: int
) -> QueuePage:
    base = select(Appeal).where(Appeal.status == AppealStatus.OPEN.value)
    if consultation_id is not None:
        base = base.where(
            Appeal.comment_id.in_(
                select(Comment.id)
                .join(Thread, Thread.id == Comment.thread_id)
                .where(Thread.consultation_id == consultation_id)
            )
        )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    appeals = list(
        session.scalars(
            base.options(
                joinedload(Appeal.user),
                joinedload(Appeal.comment).joinedload(Comment.thread),
                joinedload(Appeal.sanction),
            )
            .order_by(Appeal.created_at.asc(), Appeal.id.asc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return QueuePage(items=[], appeals=appeals, total=total, page=page, pages=pages)


def open_counts(session: Session) -> dict[str, int]:
    """How many items wait in each queue tab."""
    pending = session.scalar(select(func.count()).where(Comment.status == PENDING)) or 0
    flagged = (
        session.scalar(
            select(func.count()).where(Comment.flag_count > 0, Comment.status == VISIBLE)
        )
        or 0
    )
    appeals = (
        session.scalar(select(func.count()).where(Appeal.status == AppealStatus.OPEN.value)) or 0
    )
    return {"pending": pending, "flagged": flagged, "open": pending + flagged, "appeals": appeals}


@dataclass
class CommentContext:
    comment: Comment
    parent: Comment | None
    replies: list[Comment]
    flags: list[Flag]
    history: list[ModerationAction]
    appeal: Appeal | None
    sanctions: list[Sanction]


def comment_context(session: Session, comment_id: int, *, actor: User | None) -> CommentContext:
    """A comment for a moderator: its parent, direct replies, flags, log and appeal."""
    require_moderator(actor)
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(
            joinedload(Comment.author),
            joinedload(Comment.thread).joinedload(Thread.consultation),
            joinedload(Comment.thread).joinedload(Thread.section),
        )
    )
    if comment is None:
        raise NotFound("comment_not_found")
    parent = (
        session.scalar(
            select(Comment)
            .where(Comment.id == comment.parent_id)
            .options(joinedload(Comment.author))
        )
        if comment.parent_id
        else None
    )
    replies = list(
        session.scalars(
            select(Comment)
            .where(Comment.parent_id == comment.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.seq)
            .limit(20)
        )
    )
    flags = list(
        session.scalars(
            select(Flag)
            .where(Flag.comment_id == comment.id)
            .options(joinedload(Flag.user))
            .order_by(Flag.id)
        )
    )
    history = list(
        session.scalars(
            select(ModerationAction)
            .where(ModerationAction.comment_id == comment.id)
            .options(joinedload(ModerationAction.actor))
            .order_by(ModerationAction.id)
        )
    )
    appeal = session.scalar(select(Appeal).where(Appeal.comment_id == comment.id))
    return CommentContext(
        comment=comment,
        parent=parent,
        replies=replies,
        flags=flags,
        history=history,
        appeal=appeal,
        sanctions=list(
            session.scalars(
                select(Sanction)
                .where(Sanction.user_id == comment.author_id)
                .order_by(Sanction.id.desc())
            )
        ),
    )


@dataclass
class UserOverview:
    user: User
    sanctions: list[Sanction]
    recent: list[Comment]
    history: list[ModerationAction]


def user_overview(session: Session, user_id: int, *, actor: User | None) -> UserOverview:
    require_moderator(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    return UserOverview(
        user=user,
        sanctions=list(
            session.scalars(
                select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id.desc())
            )
        ),
        recent=list(
            session.scalars(
                select(Comment)
                .where(Comment.author_id == user.id)
                .options(joinedload(Comment.thread).joinedload(Thread.consultation))
                .order_by(Comment.id.desc())
                .limit(20)
            )
        ),
        history=list(
            session.scalars(
                select(ModerationAction)
                .where(ModerationAction.subject_user_id == user.id)
                .options(joinedload(ModerationAction.actor))
                .order_by(ModerationAction.id.desc())
                .limit(50)
            )
        ),
    )


# ---- the log ------------------------------------------------------------------------------------


@dataclass
class LogPage:
    rows: list[ModerationAction]
    total: int
    page: int
    pages: int


def _log_query(
    actor: User | None,
    *,
    consultation_id: int | None = None,
    action: str | None = None,
    for_export: bool = False,
) -> Select[Any]:
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    allowed = policy.can_export_log(actor) if for_export else policy.is_moderator(actor)
    if not allowed:
        raise Forbidden("moderators_only")
    stmt = select(ModerationAction)
    if not policy.is_moderator(actor):  # agency staff: their own consultations only
        stmt = stmt.where(
            ModerationAction.consultation_id.in_(
                select(Consultation.id).where(Consultation.agency_id == actor.agency_id)
            )
        )
    if consultation_id is not None:
        stmt = stmt.where(ModerationAction.consultation_id == consultation_id)
    if action:
        stmt = stmt.where(ModerationAction.action == action)
    return stmt


def log_page(
    session: Session,
    *,
    actor: User | None,
    consultation_id: int | None = None,
    action: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> LogPage:
    """The moderation log, newest first (moderators and admins)."""
    stmt = _log_query(actor, consultation_id=consultation_id, action=action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        session.scalars(
            stmt.options(
                joinedload(ModerationAction.actor), joinedload(ModerationAction.subject_user)
            )
            .order_by(ModerationAction.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return LogPage(rows=rows, total=total, page=page, pages=pages)


EXPORT_COLUMNS = (
    "id",
    "time",
    "actor",
    "action",
    "target_type",
    "target_id",
    "comment_id",
    "thread_id",
    "consultation_id",
    "subject_user",
    "reason",
    "rule",
    "note",
    "before_status",
    "after_status",
)


def log_export_rows(
    session: Session, *, actor: User | None, consultation_id: int | None = None
) -> Iterator[list[str]]:
    """The log as rows of plain strings, oldest first (no comment text, no redacted originals)."""
    stmt = _log_query(actor, consultation_id=consultation_id, for_export=True)
    stmt = stmt.options(
        joinedload(ModerationAction.actor), joinedload(ModerationAction.subject_user)
    ).order_by(ModerationAction.id.asc())
    for row in session.scalars(stmt.execution_options(yield_per=500)):
        yield [
            str(row.id),
            row.created_at.isoformat(),
            row.actor.display_name if row.actor else "system",
            row.action,
            row.target_type,
            "" if row.target_id is None else str(row.target_id),
            "" if row.comment_id is None else str(row.comment_id),
            "" if row.thread_id is None else str(row.thread_id),
            "" if row.consultation_id is None else str(row.consultation_id),
            row.subject_user.display_name if row.subject_user else "",
            row.reason,
            row.rule,
            row.note,
            row.before_status,
            row.after_status,
        ]


# ---- notices ------------------------------------------------------------------------------------


@dataclass
class Notices:
    items: list[Notification]
    appealed_comments: set[int]
    appealed_sanctions: set[int]
    active: list[Sanction]


def notices(session: Session, user: User, *, limit: int = 50) -> Notices:
    """A user's moderation notices, newest first, and what they have already appealed."""
    items = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .options(joinedload(Notification.comment), joinedload(Notification.sanction))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
    appeals = list(
        session.execute(
            select(Appeal.comment_id, Appeal.sanction_id).where(Appeal.user_id == user.id)
        )
    )
    return Notices(
        items=items,
        appealed_comments={c for c, _ in appeals if c is not None},
        appealed_sanctions={s for _, s in appeals if s is not None},
        active=active_sanctions(session, user.id),
    )


# ---- the public account --------------------------------------------------------------------------


@dataclass
class Transparency:
    hidden_by_reason: dict[str, int]
    hidden_now: int
    held_by_rule: dict[str, int]
    approved: int
    restored: int
    redacted: int
    appeals: int
    appeals_upheld: int
    appeals_rejected: int
    visible: int


def transparency(session: Session, consultation: Consultation) -> Transparency:
    """Counts only (no text, no names): what moderation did in one consultation."""
    cid = consultation.id

    def count_by(action_names: Sequence[str], column: Any) -> dict[str, int]:
        rows = session.execute(
            select(column, func.count(func.distinct(ModerationAction.comment_id)))
            .where(
                ModerationAction.consultation_id == cid,
                ModerationAction.action.in_(action_names),
            )
            .group_by(column)
        ).all()
        return {str(k or "other"): int(n) for k, n in rows}

    per_action = dict(
        session.execute(
            select(ModerationAction.action, func.count())
            .where(ModerationAction.consultation_id == cid)
            .group_by(ModerationAction.action)
        ).all()
    )
    status_counts = dict(
        session.execute(
            select(Comment.status, func.count())
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == cid)
            .group_by(Comment.status)
        ).all()
    )
    return Transparency(
        hidden_by_reason=count_by(("hide", "mark_duplicate"), ModerationAction.reason),
        hidden_now=int(status_counts.get(HIDDEN, 0)),
        held_by_rule=count_by(("hold",), ModerationAction.rule),
        approved=int(per_action.get("approve", 0)),
        restored=int(per_action.get("restore", 0)),
        redacted=int(per_action.get("redact", 0)),
        appeals=int(per_action.get("appeal", 0)),
        appeals_upheld=int(per_action.get("appeal_upheld", 0)),
        appeals_rejected=int(per_action.get("appeal_rejected", 0)),
        visible=int(status_counts.get(VISIBLE, 0)),
    )


# ---- what analysis may read ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisComment:
    id: int
    thread_id: int
    author_id: int
    text: str  # plain text of the (possibly redacted) sanitized HTML
    tokens: tuple[str, ...]


def visible_comments_for_analysis(session: Session, consultation_id: int) -> list[AnalysisComment]:
    """The only comment text analysis gets: visible comments, after any redaction.

    Pending and hidden comments are left out entirely; text comes from the stored sanitized HTML
    (which redaction rewrote), never from anything kept for the audit trail.
    """
    rows = session.execute(
        select(Comment.id, Comment.thread_id, Comment.author_id, Comment.html, Comment.tokens)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
        .where(Comment.body != WITHDRAWN_TEXT)  # withdrawn by its deleted author (issue 13)
        .order_by(Comment.id)
    ).all()
    return [
        AnalysisComment(
            id=r.id,
            thread_id=r.thread_id,
            author_id=r.author_id,
            text=plain_text(r.html),
            tokens=tuple((r.tokens or "").split()),
        )
        for r in rows
    ]


def visible_votes_for_analysis(
    session: Session, consultation_id: int
) -> list[tuple[int, int, int]]:
    """(user_id, comment_id, value) for votes on visible comments only."""
    return [
        (r.user_id, r.comment_id, r.value)
        for r in session.execute(
            select(Vote.user_id, Vote.comment_id, Vote.value)
            .join(Comment, Comment.id == Vote.comment_id)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
            .order_by(Vote.id)
        )
    ]
