"""Request and response models of GET /api/v1/search (app/search/api.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..openapi.operation import Out, Query


class SearchQuery(Query):
    q: str | None = Field(default=None, description="Words to find (Chinese is segmented)")
    page: int | None = Field(default=None, ge=1, le=10_000, description="The page of comments")


class CommentHits(Out):
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int


class SearchResults(Out):
    """Consultations, sections and a page of comments that match."""

    q: str
    terms: list[str]
    consultations: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    comments: CommentHits
