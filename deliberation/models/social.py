"""Social media: link cards and the links from comments to them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .base import enum_check as _in


class LinkStatus(enum.StrEnum):
    PENDING = "pending"  # saved with the comment; the background fetch has not finished
    READY = "ready"  # title/description (and maybe an embed) known
    FAILED = "failed"  # refused (SSRF rules, type, size) or unreachable: shown as a bare link


class LinkPreview(Base):
    """What a URL looks like as a card: fetched once, shared by every comment that links it."""

    __tablename__ = "link_previews"
    __table_args__ = (
        UniqueConstraint("url", name="uq_link_previews_url"),
        CheckConstraint(_in("status", LinkStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))  # normalised (no fragment), as linked
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.PENDING.value)
    # Card fields: plain text (clean_line'd) — templates escape them like any user text.
    title: Mapped[str] = mapped_column(String(300), default="")
    site_name: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(String(2048), default="")  # https only, else empty
    # The image itself, fetched by the server and served from this site (/link-images/<id>), so
    # readers' browsers never contact the third party. Empty when it could not be fetched.
    image_type: Mapped[str] = mapped_column(String(32), default="")
    image_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Allow-listed provider (youtube, facebook, instagram, threads, x, vimeo, ptt, dcard) or "".
    provider: Mapped[str] = mapped_column(String(32), default="")
    # Our own canonical embed form, e.g. {"kind": "youtube", "id": "dQw4w9WgXcQ"}; never HTML.
    embed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(String(200), default="")  # why the fetch failed (staff)
    fetched_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # refetch after this
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentLink(Base):
    """A URL found in a comment's text, in order of appearance."""

    __tablename__ = "comment_links"
    __table_args__ = (
        UniqueConstraint("comment_id", "position", name="uq_comment_links_position"),
        Index("ix_comment_links_preview", "preview_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    preview_id: Mapped[int] = mapped_column(ForeignKey("link_previews.id"))
    position: Mapped[int]  # 0-based

    preview: Mapped[LinkPreview] = relationship()
