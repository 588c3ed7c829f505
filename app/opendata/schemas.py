"""Response models of /api/v1/open-data (app/opendata/api.py)."""

from __future__ import annotations

from typing import Any

from ..openapi.operation import Out


class DatasetList(Out):
    """The published datasets and their totals."""

    datasets: list[dict[str, Any]]
    totals: dict[str, Any]


class Dataset(Out):
    """One dataset with its manifest (files, checksums, quality, metadata)."""

    manifest: dict[str, Any]
