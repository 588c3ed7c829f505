"""Idempotency keys: a retried POST with the same key gets the first answer, not a duplicate."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, ValidationError
from ..models import IdempotencyKey

MAX_KEY = 128


def fingerprint(*parts: str | bytes) -> str:
    """A hash of the request's method, path and body, to catch a key reused for other content."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationError("invalid_idempotency_key")
    return key


def replay(session: Session, user_id: int, key: str, fp: str) -> tuple[int, dict[str, Any]] | None:
    """The stored (status, body) for this key, None if new; Conflict if reused differently."""
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.fingerprint != fp:
        raise Conflict("idempotency_key_reused")
    return row.status_code, row.response


def remember(
    session: Session, user_id: int, key: str, fp: str, status_code: int, response: dict[str, Any]
) -> None:
    """Store the answer in the same transaction as the change it describes."""
    session.add(
        IdempotencyKey(
            user_id=user_id, key=key, fingerprint=fp, status_code=status_code, response=response
        )
    )
    session.flush()


def claim(session: Session, user_id: int, key: str, fp: str) -> bool:
    """Take the key before doing the work, in a savepoint: True if this request owns it now.

    Of concurrent requests with one key, the first insert wins; the others' inserts wait for its
    transaction (PostgreSQL holds them on the unique index) and then fail here, and they replay
    its stored answer instead of doing the work again or answering 500. If the first request
    rolls back (its input was refused), the next one gets the key."""
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKey(user_id=user_id, key=key, fingerprint=fp, status_code=0, response={})
            )
    except IntegrityError:
        return False
    return True


def complete(
    session: Session, user_id: int, key: str, status_code: int, response: dict[str, Any]
) -> None:
    """Store the answer of a claimed key, in the same transaction as the change it describes."""
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    assert row is not None, "complete() without claim()"
    row.status_code, row.response = status_code, response
    session.flush()
