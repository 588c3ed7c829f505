"""Request and response models of the core API routes (app/api/routes.py), one per route: the
routes validate against them (app/params.py) and /api/v1/openapi.json publishes them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..openapi.operation import Body, Out, Query
from ..openapi.schemas import Comment, Consultation, Paged
from ..params import MAX_ID

# config.API_MAX_LIMIT's default: the largest `limit` a list takes.
MAX_LIMIT = 200

Id = Field(ge=-MAX_ID, le=MAX_ID)


class PageQuery(Query):
    limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT, description="Items per page")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")


class ConsultationListQuery(PageQuery):
    status: str | None = Field(default=None, description="draft, open, closed or concluded")


class ConsultationPage(Paged):
    """Consultations the caller may see, open ones first, newest first."""

    items: list[Consultation]


class SectionBody(Body):
    title: str | None = None
    body: str | None = None


class ConsultationBody(Body):
    title: str | None = None
    summary: str | None = None
    body: str | None = Field(default=None, description="Markdown")
    sections: list[SectionBody] | None = None
    status: str | None = Field(default=None, description="draft (default) or open")
    opens_at: str | None = Field(default=None, description="ISO 8601 with an offset")
    closes_at: str | None = Field(default=None, description="ISO 8601 with an offset")


class StatusBody(Body):
    status: str = Field(description="open, closed or concluded")


class SeqQuery(Query):
    after_seq: int | None = Field(default=None, ge=0, le=MAX_ID)
    limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT)


class CommentList(Out):
    """Comments after `after_seq`, in order; `last_seq` is the next `after_seq`."""

    items: list[Comment]
    last_seq: int


class CommentBody(Body):
    body: str | None = Field(default=None, description="Markdown")
    parent_id: int | None = Field(default=None, ge=-MAX_ID, le=MAX_ID)


class EditBody(Body):
    body: str | None = Field(default=None, description="Markdown")
    version: int | None = Field(
        default=None, ge=-MAX_ID, le=MAX_ID, description="The version you edited (409 if stale)"
    )


class VoteBody(Body):
    value: Any = Field(json_schema_extra={"enum": [1, -1, 0]}, description="agree, disagree, pass")


class VoteResult(Out):
    """The caller's vote and the comment's counts."""

    comment_id: int
    value: Any
    votes: dict[str, Any]


class EventList(Out):
    """Thread events after `after_seq`."""

    items: list[dict[str, Any]]
    last_seq: int
    more: bool
