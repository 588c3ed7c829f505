"""The models of GET /api/v1/plans/<id>/outcome (app/outcome/routes.py)."""

from __future__ import annotations

from pydantic import Field

from ..openapi.operation import Query
from .render import FORMATS, MIMETYPES

FORMAT_LIST = ", ".join(FORMATS)


class OutcomeQuery(Query):
    format: str | None = Field(default=None, description=f"{FORMAT_LIST} (json by default)")


OUTCOME = {
    "description": "The outcome section (JSON; or the file of ?format=)",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        **{
            MIMETYPES[f].split(";")[0]: {"schema": {"type": "string"}}
            for f in FORMATS
            if f != "json" and f in MIMETYPES
        },
    },
}
