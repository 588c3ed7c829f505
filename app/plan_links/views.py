"""What the pages and the API show of a link request."""

from __future__ import annotations

from typing import Any

from deliberation.plan_links.models import PlanLinkRequest


def request_json(r: PlanLinkRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "plan_id": r.plan_id,
        "plan_title": r.plan.title,
        "plan_agency": r.plan.lead_agency.code,
        "consultation_id": r.consultation_id,
        "consultation_title": r.consultation.title,
        "consultation_agency": r.consultation.agency.code,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
    }
