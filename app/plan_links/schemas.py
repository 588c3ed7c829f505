"""Response models of /api/v1/plan-link-requests (app/plan_links/api.py)."""

from __future__ import annotations

from ..openapi.operation import Out


class LinkRequest(Out):
    """A request to link another agency's consultation to a plan."""

    id: int
    plan_id: int
    plan_title: str
    plan_agency: str
    consultation_id: int
    consultation_title: str
    consultation_agency: str
    status: str
    created_at: str
    decided_at: str | None


class LinkRequests(Out):
    """The requests the caller may see."""

    items: list[LinkRequest]
