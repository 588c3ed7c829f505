"""Response models of /api/v1/open-data (app/opendata/api.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..openapi.operation import Out, Query
from ..openapi.schemas import Paged

MAX_LIMIT = 200


class DatasetQuery(Query):
    limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    cursor: str | None = None


class DatasetList(Paged):
    """The published datasets and their totals."""

    datasets: list[dict[str, Any]]
    totals: dict[str, Any]


class Dataset(Out):
    """One dataset with its manifest (files, checksums, quality, metadata)."""

    manifest: dict[str, Any]
