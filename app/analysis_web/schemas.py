"""Request and response models of the analysis API (app/analysis_web/api.py): validated by
app/params.py, published in /api/v1/openapi.json."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..openapi.operation import Body, Out, loose
from ..params import MAX_ID

IdItem = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]


class Run(Out):
    """An analysis run."""

    id: int
    consultation_id: int
    status: str
    progress: int | float | None
    stage: str | None
    params: dict[str, Any]
    created_at: str | None


RUN_LOCATION = {
    "Location": {"description": "/api/v1/analysis-runs/<id>", "schema": {"type": "string"}}
}


class RunStarted(Out):
    """The run queued (202) or the one already queued or running (200)."""

    run_id: int
    created: bool
    run: Run


class Settings(Out):
    """The theme settings later runs use."""

    n_themes: int | None
    seed_themes: list[dict[str, Any]]


class SettingsBody(Body):
    n_themes: int | None = Field(default=None, ge=-MAX_ID, le=MAX_ID, description="2-30 or null")
    seed_themes: Any = loose(
        {"type": ["array", "null"], "items": {"type": "object"}},
        'null or [{"name": "...", "keywords": ["..."]}]',
    )


class SettingsSaved(Settings):
    """Whether anything changed, the stored settings."""

    changed: bool


class Themes(Out):
    """The latest finished snapshot: themes, groups, the run in progress."""

    run: Run
    active_run: Run | None
    themes: list[dict[str, Any]]
    groups: dict[str, Any] | list[Any]


class CurateBody(Body):
    label: str | None = None
    target: str | None = None
    comment_ids: list[IdItem] | None = None
    comment_id: int | None = Field(default=None, ge=-MAX_ID, le=MAX_ID)
    undo: Any = loose({"type": "boolean"})


class Curated(Out):
    """Whether anything changed, and the curation edit recorded."""

    changed: bool
    edit: dict[str, Any] | None
