"""Display names that claim an office are reserved: the built-in words, every agency's name
and code, and the words admins add. Refused at registration and rename unless an admin granted
this person an exception for this name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, ValidationError
from ..models import Agency, User
from ..sanitize import clean_line
from . import audit
from .models import NameException, ReservedName
from .rules import BUILTIN_RESERVED, normalize_name, reserved_hit

MAX_NAME = 80
MAX_WORD = 80


def agency_words(session: Session) -> list[str]:
    """Every agency's name and code."""
    words: list[str] = []
    for code, name in session.execute(select(Agency.code, Agency.name).order_by(Agency.code)):
        words.extend([name, code])
    return words


def reserved_words(session: Session) -> list[str]:
    """Every reserved word: built in, agencies' names and codes, and the admins' list."""
    words = [*BUILTIN_RESERVED, *agency_words(session)]
    words.extend(session.scalars(select(ReservedName.word).order_by(ReservedName.id)))
    return words


def check_display_name(session: Session, name: str, *, user: User | None = None) -> str:
    """The cleaned name, or ValidationError("name_reserved") naming the word it claims."""
    cleaned = clean_line(name or "")
    if not cleaned:
        raise ValidationError("name_required", field="display_name")
    if len(cleaned) > MAX_NAME:
        raise ValidationError("name_too_long", field="display_name", max=MAX_NAME)
    refuse_reserved(session, cleaned, user=user)
    return cleaned


def refuse_reserved(session: Session, name: str, *, user: User | None = None) -> None:
    """ValidationError("name_reserved") when the name claims an office, unless an admin granted
    this user an exception for exactly this name."""
    cleaned = clean_line(name or "")
    word = reserved_hit(cleaned, reserved_words(session)) if cleaned else None
    if word is None:
        return
    if user is not None and user.id is not None:
        granted = session.scalar(
            select(NameException.id).where(
                NameException.user_id == user.id,
                NameException.normalized == normalize_name(cleaned)[:MAX_NAME],
            )
        )
        if granted is not None:
            return
    raise ValidationError("name_reserved", field="display_name", word=word)


def rename(session: Session, user: User, name: str) -> User:
    """A person changes their own display name (the same check as at registration)."""
    cleaned = check_display_name(session, name, user=user)
    if cleaned != user.display_name:
        old = user.display_name
        user.display_name = cleaned
        audit.record(
            session, "display_name_changed", actor=user, subject=user, old=old, new=cleaned
        )
    session.flush()
    return user


def grant_exception(
    session: Session, user: User, name: str, *, actor: User, note: str = "", ip: str = ""
) -> NameException:
    """An admin lets `user` carry `name` (and sets it as their display name); audited."""
    cleaned = clean_line(name or "")
    if not cleaned:
        raise ValidationError("name_required", field="display_name")
    if len(cleaned) > MAX_NAME:
        raise ValidationError("name_too_long", field="display_name", max=MAX_NAME)
    key = normalize_name(cleaned)[:MAX_NAME]
    row = session.scalar(
        select(NameException).where(
            NameException.user_id == user.id, NameException.normalized == key
        )
    )
    if row is None:
        row = NameException(
            user_id=user.id, normalized=key, note=clean_line(note)[:500], granted_by_id=actor.id
        )
        session.add(row)
    old = user.display_name
    user.display_name = cleaned
    audit.record(
        session,
        "name_exception_granted",
        actor=actor,
        subject=user,
        ip=ip,
        name=cleaned,
        old=old,
        note=row.note,
    )
    return row


def admin_words(session: Session) -> list[ReservedName]:
    return list(session.scalars(select(ReservedName).order_by(ReservedName.word)))


def add_word(session: Session, word: str, *, actor: User, ip: str = "") -> ReservedName:
    """An admin reserves one more word."""
    cleaned = clean_line(word or "")
    key = normalize_name(cleaned)
    if not key:
        raise ValidationError("reserved_word_required", field="word")
    if len(cleaned) > MAX_WORD:
        raise ValidationError("reserved_word_too_long", field="word", max=MAX_WORD)
    exists = session.scalar(select(ReservedName.id).where(ReservedName.normalized == key))
    if exists is not None or key in {normalize_name(w) for w in BUILTIN_RESERVED}:
        raise Conflict("reserved_word_exists", field="word", word=cleaned)
    row = ReservedName(word=cleaned, normalized=key, created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, "reserved_name_added", actor=actor, ip=ip, word=cleaned)
    return row


def remove_word(session: Session, word_id: int, *, actor: User, ip: str = "") -> None:
    """An admin takes a word they added off the list (built-in words stay)."""
    row = session.get(ReservedName, word_id)
    if row is None:
        raise NotFound("reserved_word_not_found")
    audit.record(session, "reserved_name_removed", actor=actor, ip=ip, word=row.word)
    session.delete(row)
    session.flush()
