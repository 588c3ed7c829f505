"""Reading attachments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Consultation, User
from ..rules import can_view_consultation
from .models import Attachment


def attachments_of(session: Session, consultation_id: int) -> list[Attachment]:
    """A consultation's current attachments, oldest first."""
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.consultation_id == consultation_id, Attachment.removed_at.is_(None))
            .order_by(Attachment.id)
        )
    )


def for_download(
    session: Session, consultation_id: int, attachment_id: int, viewer: User | None
) -> Attachment:
    """One current attachment the viewer may read (a draft's only for those who manage it)."""
    item = session.get(Attachment, attachment_id)
    consultation = session.get(Consultation, consultation_id)
    if (
        item is None
        or consultation is None
        or item.consultation_id != consultation_id
        or item.removed_at is not None
        or not can_view_consultation(viewer, consultation)
    ):
        raise NotFound()
    return item
