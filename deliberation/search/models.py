"""Topic tags of consultations (交通、環境、…): set by the agency's staff, filtered on the list."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models.base import Base


class ConsultationTag(Base):
    """One topic tag of one consultation (clean_line'd, at most 40 characters)."""

    __tablename__ = "consultation_tags"
    __table_args__ = (
        UniqueConstraint("consultation_id", "tag", name="uq_consultation_tags_consultation_tag"),
        Index("ix_consultation_tags_tag", "tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    tag: Mapped[str] = mapped_column(String(40))
