"""Account changes: verification, recovery, password and address changes, privacy texts and
consent, deletion. Each function checks everything before it writes, and flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, Forbidden, ValidationError
from ..models import (
    Appeal,
    AppealStatus,
    Comment,
    CommentRevision,
    IdempotencyKey,
    Notification,
    Role,
    User,
    utcnow,
)
from ..sanitize import render_markdown
from ..services import accounts as signup
from ..services import comments as comment_service
from ..trust import sessions
from . import rules, tokens
from .models import Consent, DocumentKind, PolicyDocument
from .queries import current_document, default_text

# What a deleted account's name becomes, everywhere the name is read (pages, API, live
# events, exports): the row keeps its id so comments and votes keep their place and count.
DELETED_NAME = "已刪除的帳號"
WITHDRAWN_TEXT = rules.WITHDRAWN_TEXT


def _active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise ValidationError("token_invalid", field="token")
    return user


def _check_current_password(user: User, password: str | None) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError("wrong_password", field="current_password")


def _new_password_hash(password: str | None, email: str) -> str:
    refusal = rules.password_refusal(password, email=email)
    if refusal is not None:
        raise ValidationError(refusal, field="password", min=rules.MIN_PASSWORD)
    return generate_password_hash(password or "")


# ---- e-mail verification ---------------------------------------------------------------------


def verification_token(secret: str, user: User) -> str:
    return tokens.make(secret, tokens.VERIFY, user)


def verify_email(
    session: Session, secret: str, token: str, *, now: datetime | None = None
) -> tuple[User, bool]:
    """Mark the address verified. Returns the user and whether anything changed (a second
    click on the same link changes nothing and is not an error)."""
    claim = tokens.read(secret, tokens.VERIFY, token)
    user = _active_user(session, claim.user_id)
    if not tokens.still_bound(claim, tokens.VERIFY, user):
        raise ValidationError("token_used", field="token")  # the address changed since
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = now or utcnow()
    session.flush()
    return user, True


# ---- forgotten password ------------------------------------------------------------------------


def request_password_reset(session: Session, secret: str, email: str) -> tuple[User | None, str]:
    """The account to mail and its reset token, or (None, a throwaway token) when no active
    account has this address. The caller answers both the same way."""
    address = signup.normalize_email(email)
    if not signup.EMAIL_RE.match(address) or len(address) > 254:
        raise ValidationError("invalid_email", field="email")
    user = session.scalar(
        select(User).where(User.email == address, User.is_active.is_(True), User.origin.is_(None))
    )
    if user is not None:
        return user, tokens.make(secret, tokens.RESET, user)
    # A throwaway token for no one, so both answers cost the same work.
    return None, tokens.sign(secret, tokens.RESET, 0, tokens.fingerprint("!"))


def check_reset_token(session: Session, secret: str, token: str) -> User:
    """The user a reset link is for, if it is genuine, unexpired and unused."""
    claim = tokens.read(secret, tokens.RESET, token)
    user = _active_user(session, claim.user_id)
    if not tokens.still_bound(claim, tokens.RESET, user):
        raise ValidationError("token_used", field="token")
    return user


def reset_password(
    session: Session, secret: str, token: str, password: str, *, now: datetime | None = None
) -> User:
    """Set a new password from a mailed link. The link dies with the old password hash; every
    session (this browser's too) and the personal API token stop working."""
    user = check_reset_token(session, secret, token)
    user.password_hash = _new_password_hash(password, user.email)
    sessions.revoke_all(session, user, actor=None, reason="password_reset")
    # A reset is how a taken-over account is won back: the API token goes with the sessions.
    user.api_token_hash = None
    if user.email_verified_at is None:  # the link reached the inbox: the address is real
        user.email_verified_at = now or utcnow()
    session.flush()
    return user


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_session: int | None = None
) -> User:
    """Change the password; the current one is required. Every other session of the account
    ends (`keep_session`: the id of the one that made the change)."""
    _check_current_password(user, current)
    user.password_hash = _new_password_hash(new, user.email)
    sessions.revoke_all(session, user, actor=user, reason="password_changed", keep=keep_session)
    session.flush()
    return user


# ---- changing the address ---------------------------------------------------------------------


def request_email_change(
    session: Session, secret: str, user: User, *, password: str, new_email: str
) -> tuple[str, str]:
    """Check the request and return (new address, token to mail there). Nothing changes until
    the link is followed."""
    _check_current_password(user, password)
    address = signup.normalize_email(new_email)
    if not signup.EMAIL_RE.match(address) or len(address) > 254:
        raise ValidationError("invalid_email", field="email")
    if address == user.email:
        raise ValidationError("email_unchanged", field="email")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict("email_taken", field="email")
    return address, tokens.make(secret, tokens.CHANGE_EMAIL, user, e=address)


def confirm_email_change(
    session: Session, secret: str, token: str, *, now: datetime | None = None
) -> tuple[User, str]:
    """Apply an address change from the link mailed to the new address. Returns the user and
    the old address (to be told)."""
    claim = tokens.read(secret, tokens.CHANGE_EMAIL, token)
    user = _active_user(session, claim.user_id)
    new = claim.extra.get("e")
    if not isinstance(new, str) or not signup.EMAIL_RE.match(new):
        raise ValidationError("token_invalid", field="token")
    if not tokens.still_bound(claim, tokens.CHANGE_EMAIL, user):
        raise ValidationError("token_used", field="token")
    if session.scalar(select(User.id).where(User.email == new, User.id != user.id)) is not None:
        raise Conflict("email_taken", field="email")
    old = user.email
    user.email = new
    user.email_verified_at = now or utcnow()
    session.flush()
    return user, old


# ---- privacy texts and consent ---------------------------------------------------------------


def can_edit_policies(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == Role.ADMIN


def ensure_document(session: Session, kind: str) -> PolicyDocument:
    """The version in force; version 1 is written from the shipped text the first time."""
    document = current_document(session, kind)
    if document is None:
        zh, en = default_text(kind)
        document = PolicyDocument(kind=kind, version=1, body_zh=zh, body_en=en)
        session.add(document)
        session.flush()
    return document


MAX_POLICY_CHARS = 50_000


def publish_document(
    session: Session, kind: str, *, body_zh: str, body_en: str, actor: User | None
) -> PolicyDocument:
    """A new version of a privacy text (admins only); older versions are kept unchanged."""
    if not can_edit_policies(actor):
        raise Forbidden("admins_only")
    if kind not in {k.value for k in DocumentKind}:
        raise ValidationError("invalid_document", field="kind")
    body_zh, body_en = (body_zh or "").strip(), (body_en or "").strip()
    if not body_zh:
        raise ValidationError("policy_text_required", field="body_zh")
    if max(len(body_zh), len(body_en)) > MAX_POLICY_CHARS:
        raise ValidationError("body_too_long", field="body_zh", max=MAX_POLICY_CHARS)
    previous = ensure_document(session, kind)
    document = PolicyDocument(
        kind=kind,
        version=previous.version + 1,
        body_zh=body_zh,
        body_en=body_en,
        created_by_id=actor.id if actor else None,
    )
    session.add(document)
    session.flush()
    return document


def record_consent(session: Session, user: User, document: PolicyDocument) -> Consent:
    consent = Consent(user_id=user.id, document_id=document.id)
    session.add(consent)
    session.flush()
    return consent


@dataclass
class Registration:
    """What a sign-up did: a new, unverified account, or nothing because the address already
    has one (whose owner is then told by mail). The page answers both the same way."""

    user: User | None = None
    existing: User | None = None


def register_with_consent(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    consent: bool,
    language: str | None = None,
) -> Registration:
    """A citizen signs up after accepting the collection notice in force (PDPA art. 8).

    An address that already has an account is not refused (that would tell anyone who is
    registered): nothing is created, the password is hashed all the same (the same time), and
    the caller mails the owner instead of a verification link."""
    try:
        user = signup.register(
            session, email=email, display_name=display_name, password=password, language=language
        )
    except Conflict as error:
        if error.code != "email_taken":
            raise
        generate_password_hash(password or "")  # the work the new account's hash costs
        if not consent:
            raise ValidationError("consent_required", field="consent") from None
        existing = session.scalar(select(User).where(User.email == signup.normalize_email(email)))
        usable = existing is not None and existing.is_active and existing.origin is None
        return Registration(existing=existing if usable else None)
    if not consent:
        raise ValidationError("consent_required", field="consent")
    record_consent(session, user, ensure_document(session, DocumentKind.COLLECTION_NOTICE))
    return Registration(user=user)


# ---- deleting an account ----------------------------------------------------------------------


@dataclass
class Deletion:
    withdrawn: list[int] = field(default_factory=list)  # comment ids whose text was removed
    kept: list[int] = field(default_factory=list)  # comment ids kept with their text


def delete_account(
    session: Session,
    user: User,
    *,
    password: str,
    withdraw_comments: bool = False,
    now: datetime | None = None,
) -> Deletion:
    """Erase the person's data and close the account (docs/accounts.md, "Deleting an account").

    Comments stay, shown under 「已刪除的帳號」, with their text, or withdrawn when asked and no
    moderation process holds them; votes stay counted with no one behind them; moderation
    records (flags, sanctions, appeals, the log) stay, as the record of public decisions."""
    now = now or utcnow()
    if user.role != Role.CITIZEN:
        raise Forbidden("role_account_deletion")
    _check_current_password(user, password)
    result = Deletion()
    own = list(session.scalars(select(Comment).where(Comment.author_id == user.id)))
    appealed = set(
        session.scalars(
            select(Appeal.comment_id).where(
                Appeal.user_id == user.id, Appeal.status == AppealStatus.OPEN
            )
        )
    )
    for comment in own:
        if withdraw_comments and rules.can_withdraw(
            comment.status, comment.flag_count, comment.id in appealed
        ):
            _withdraw(session, comment)
            result.withdrawn.append(comment.id)
        else:
            result.kept.append(comment.id)
            # The name on it changes: an event refreshes open pages and the public page cache.
            comment_service.record_event(session, comment.thread_id, "comment_edited", comment.id)
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user.id))
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.password_hash = "!"  # matches no password
    user.api_token_hash = None
    user.is_active = False
    user.language = None
    user.email_verified_at = None
    user.deleted_at = now
    sessions.revoke_all(session, user, actor=user, reason="account_deleted")
    session.flush()
    return result


def _withdraw(session: Session, comment: Comment) -> None:
    html = render_markdown(WITHDRAWN_TEXT)
    comment.body, comment.html, comment.tokens = WITHDRAWN_TEXT, html, ""
    comment.version += 1
    for revision in session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == comment.id)
    ):
        revision.body, revision.html = WITHDRAWN_TEXT, html
    comment_service.record_event(session, comment.thread_id, "comment_edited", comment.id)
