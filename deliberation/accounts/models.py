"""Models of the accounts area: the versioned privacy texts and who accepted which."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, User, utcnow


class DocumentKind(enum.StrEnum):
    # 個人資料蒐集告知 (PDPA art. 8), shown at registration and accepted with a consent box.
    COLLECTION_NOTICE = "collection_notice"
    # 隱私權及資訊安全政策, linked in every page's footer.
    PRIVACY_POLICY = "privacy_policy"


class PolicyDocument(Base):
    """One version of a privacy text. Versions are never edited: an admin's change is a new row,
    so the text a person accepted can always be shown again."""

    __tablename__ = "policy_documents"
    __table_args__ = (
        UniqueConstraint("kind", "version", name="uq_policy_documents_kind_version"),
        CheckConstraint("kind IN ('collection_notice', 'privacy_policy')", name="kind_valid"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]  # 1, 2, 3 ... per kind; the highest is in force
    body_zh: Mapped[str] = mapped_column(Text)  # markdown, zh-TW (the binding text)
    body_en: Mapped[str] = mapped_column(Text, default="")  # markdown, English courtesy text
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """A person accepted a version of the collection notice (at registration, or again later)."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("policy_documents.id"))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    document: Mapped[PolicyDocument] = relationship()
