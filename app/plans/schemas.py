"""Request and response models of the plans API (app/plans/api.py): validated by app/params.py,
published in /api/v1/openapi.json."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..openapi.operation import Body, Out, Query, loose
from ..openapi.schemas import Paged
from ..params import MAX_ID

MAX_LIMIT = 200
DAY = {"type": ["string", "null"], "description": "YYYY-MM-DD (a day in Taiwan) or ISO 8601"}


class PlanListQuery(Query):
    limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    cursor: str | None = None


class IndicatorBody(Body):
    name: str | None = None
    target: str | None = None


class PlanBody(Body):
    title: str | None = None
    summary: str | None = None
    changes: str | None = Field(default=None, description="Markdown")
    period_start: Any = loose(DAY)
    period_end: Any = loose(DAY)
    budget: Any = loose({"type": ["integer", "string", "null"], "description": "NT$"})
    consultations: list[Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]] | None = Field(
        default=None, description="consultation ids"
    )
    co_agencies: list[str] | None = Field(default=None, description="agency codes")
    indicators: list[IndicatorBody] | None = None
    agency: str | None = Field(default=None, description="lead agency code (admins)")


class PlanPatch(PlanBody):
    status: Any = loose({"enum": ["submitted", None]}, "submitted: send to the reviewers")


class Response(Out):
    consultation_id: int
    theme_key: str
    disposition: str | None
    reasoning: str | None
    responsible_unit: str | None
    due_date: str | None
    done_at: str | None
    published_at: str | None
    overdue: bool


class Plan(Out):
    """A plan."""

    id: int
    title: str
    status: str
    lead_agency: str
    co_agencies: list[str]
    summary: str | None
    budget: int | None
    consultations: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    created_at: str | None
    updated_at: str | None


class PlanFull(Plan):
    """A plan with its overdue responses and link requests."""

    link_requests: list[dict[str, Any]]


class PlanPage(Paged):
    """Plans the caller may see."""

    items: list[Plan]


class Note(Out):
    id: int
    body: str
    html: str


class NoteList(Out):
    """The plan's notes."""

    items: list[dict[str, Any]]


class NoteBody(Body):
    body: str | None = None


class Checklist(Out):
    """The review checklist: every item ok, and each item's state."""

    ok: bool
    items: list[dict[str, Any]]


class Review(Out):
    """A review decision."""

    id: int
    decision: str
    comments: str | None
    reviewer_id: int | None
    created_at: str | None


class ReviewList(Out):
    """The plan's reviews."""

    items: list[Review]


class ReviewBody(Body):
    decision: str | None = Field(default=None, description="approved or returned")
    comments: str | None = None


class ReviewCreated(Review):
    """The decision recorded, and the plan's status now."""

    plan_status: str


class ThemeResponse(Out):
    theme_key: str
    label: str | None
    size: int | None
    response: Response | None


class ResponseList(Out):
    """The consultation's themes with their responses."""

    items: list[ThemeResponse]


class ResponseBody(Body):
    disposition: str | None = None
    reasoning: str | None = None
    responsible_unit: str | None = None
    due_date: Any = loose(DAY)


class Published(Response):
    """The published response and how many people were told."""

    notified: int


class DoneBody(Body):
    done: Any = loose({"type": "boolean"}, "true (default) or false")


PLAN_ID = Field(ge=1, le=MAX_ID)
