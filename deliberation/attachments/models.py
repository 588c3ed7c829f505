"""Attachment: one file of a consultation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models.base import Base, utcnow


class Attachment(Base):
    """A file attached to a consultation. Removing it sets `removed_at` (the row stays: the
    consultation's history keeps what was published)."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # as shown and downloaded (cleaned)
    kind: Mapped[str] = mapped_column(String(8))  # pdf, odt, ods, docx, xlsx, png, jpeg
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # name in the store
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
