"""Adding and removing attachments. Flush, never commit; the bytes go to a store the web side
gives (a folder under instance/ by default), after the checks and the optional virus scan."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from ..errors import Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import Consultation, User, utcnow
from ..rules import can_manage_consultation
from .models import Attachment
from .rules import TYPES, check_upload


class Store(Protocol):
    def save(self, name: str, data: bytes) -> None: ...


Scanner = Callable[[bytes], bool]  # True: clean


def add_attachment(
    session: Session,
    consultation: Consultation,
    filename: str,
    data: bytes,
    *,
    actor: User | None,
    store: Store,
    max_bytes: int,
    scan: Scanner | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Check (who, type by content, size), scan, store and record one file."""
    if actor is None:
        raise NotAuthenticated()
    if not can_manage_consultation(actor, consultation):
        raise Forbidden("not_agency_staff")
    assert actor is not None
    kind, name = check_upload(filename, data, max_bytes=max_bytes)
    if scan is not None and not scan(data):
        raise ValidationError("attachment_infected", field="file")
    stored = f"{consultation.id}-{secrets.token_hex(16)}{TYPES[kind][1]}"
    store.save(stored, data)
    item = Attachment(
        consultation_id=consultation.id,
        filename=name,
        kind=kind,
        content_type=TYPES[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=stored,
        created_by_id=actor.id,
        created_at=now or utcnow(),
    )
    session.add(item)
    session.flush()
    return item


def remove_attachment(
    session: Session, attachment_id: int, *, actor: User | None, now: datetime | None = None
) -> Attachment:
    """Take a file off the consultation (the row stays, marked removed)."""
    if actor is None:
        raise NotAuthenticated()
    item = session.get(Attachment, attachment_id)
    if item is None or item.removed_at is not None:
        raise NotFound()
    consultation = session.get(Consultation, item.consultation_id)
    assert consultation is not None
    if not can_manage_consultation(actor, consultation):
        raise Forbidden("not_agency_staff")
    item.removed_at = now or utcnow()
    session.flush()
    return item
