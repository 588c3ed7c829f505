"""Response shapes several areas share: errors, consultations, comments, pages."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .operation import Out

# An ISO 8601 timestamp with its offset, as every serializer writes it (datetime.isoformat()).
Timestamp = str


class ErrorDetail(Out):
    code: str = Field(description="A stable code (e.g. invalid_field, not_found)")
    message: str = Field(description="The message in the caller's language")
    field: str | None = Field(default=None, description="The field or parameter at fault")


class ErrorResponse(Out):
    """An error."""

    error: ErrorDetail


class Agency(Out):
    code: str
    name: str


class Section(Out):
    id: int
    position: int
    title: str
    body: str
    html: str
    thread_id: int | None


class Thread(Out):
    id: int
    section_id: int | None
    kind: str = Field(description="general or section")
    last_seq: int
    locked: bool


class Consultation(Out):
    """A consultation."""

    id: int
    title: str
    summary: str
    status: str
    agency: Agency
    opens_at: Timestamp | None
    closes_at: Timestamp | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    comment_count: int | None = None


class ConsultationFull(Consultation):
    """A consultation with its text, sections and threads."""

    body: str
    html: str
    sections: list[Section]
    threads: list[Thread]


class Author(Out):
    id: int
    name: str
    official: dict[str, Any] | None


class Comment(Out):
    """A comment (text only where the caller may read it)."""

    id: int
    thread_id: int
    seq: int
    parent_id: int | None
    depth: int
    author: Author
    html: str
    status: str
    created_at: Timestamp | None
    edited_at: Timestamp | None
    version: int
    reply_count: int
    votes: dict[str, Any] | None
    pinned: bool
    origin: dict[str, Any] | None
    links: list[dict[str, Any]]


class Paged(Out):
    """Cursor pagination: pass `next_cursor` back as `cursor` for the next page (null: the end)."""

    next_cursor: str | None = Field(default=None, description="The next page's cursor, or null")


class Items(Out):
    """A list."""

    items: list[dict[str, Any]]


class MyData(Out):
    """Everything the site holds about the caller (the same as /me/data.json)."""
