"""Helpers shared by the plan pages and the API: dates, links, JSON shapes, template globals and
the e-mails after a publish."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, url_for
from flask_babel import gettext as _

from deliberation.errors import ValidationError
from deliberation.models import Consultation, Plan, PlanReview, ThemeResponse, utcnow
from deliberation.services import responses

from .. import mail as site_mail
from ..api.serialize import iso
from ..extensions import db
from ..i18n import day
from ..params import check_datetime
from ..security import current_actor
from . import mail, messages

# ---- dates: plans and due dates are days in Taiwan, stored as UTC instants ------------------


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def parse_day(raw: Any, field: str, *, end_of_day: bool = False) -> datetime | None:
    """ "2026-03-31" (a day in Taiwan) or an ISO date-time with offset → aware datetime; "" → None.
    A due date means the end of that day: overdue from the next morning."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise ValidationError("invalid_date", field=field)
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            clock = time(23, 59, 59) if end_of_day else time(0, 0)
            return check_datetime(datetime.combine(day, clock, tzinfo=_tz()), field)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("invalid_date", field=field) from None
    if parsed.tzinfo is None:
        raise ValidationError("invalid_date", field=field)
    return check_datetime(parsed, field)


def day_value(value: datetime | None) -> str:
    """The Taiwan day of an instant, as a form value (YYYY-MM-DD)."""
    return value.astimezone(_tz()).date().isoformat() if value is not None else ""


def day_text(value: datetime | None) -> str:
    """The Taiwan day of an instant in the reader's language."""
    return day(value)


def parse_budget(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValidationError("invalid_budget", field="budget")
    if isinstance(raw, int):
        return raw
    text = str(raw).replace(",", "").strip()
    if not text.isdigit():
        raise ValidationError("invalid_budget", field="budget")
    return int(text)


# ---- links -----------------------------------------------------------------------------------


def _analysis_url(consultation_id: int) -> str | None:
    """The analysis workspace of a consultation, when that area's pages are installed."""
    candidates = [
        r
        for r in current_app.url_map.iter_rules()
        if r.endpoint.startswith("analysis_web.")
        and set(r.arguments) == {"consultation_id"}
        and "GET" in (r.methods or ())
    ]
    if not candidates:
        return None
    rule = min(candidates, key=lambda r: len(r.rule))
    return url_for(rule.endpoint, consultation_id=consultation_id)


def hint_url(hint: dict[str, Any]) -> str | None:
    kind, ident = hint.get("kind"), hint.get("id")
    if kind == "plan_edit":
        return url_for("plans.edit", plan_id=ident)
    if kind == "consultation":
        return url_for("consultations.consultation", consultation_id=ident)
    if kind == "responses":
        return url_for("plans.responses_page", consultation_id=ident)
    if kind == "analysis":
        return _analysis_url(ident) or url_for("plans.responses_page", consultation_id=ident)  # type: ignore[arg-type]
    return None


def outcome_links(plan_id: int) -> dict[str, str] | None:
    """The outcome section's preview and DOCX export, once the outcome area is installed."""
    views = current_app.view_functions
    if "outcome.section" not in views or "outcome.export" not in views:
        return None
    return {
        "section": url_for("outcome.section", plan_id=plan_id),
        "docx": url_for("outcome.export", plan_id=plan_id, fmt="docx"),
    }


def checklist_view(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Checklist items with their words and link."""
    return [
        {
            **item,
            "title": messages.label(messages.CHECKS, item["key"]),
            "message": messages.reason_text(item["reason"], item.get("params")),
            "link": hint_url(item.get("link_hint") or {}),
        }
        for item in items
    ]


# ---- JSON ------------------------------------------------------------------------------------


def plan_json(plan: Plan, *, overdue: list[ThemeResponse] | None = None) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "status": plan.status,
        "lead_agency": plan.lead_agency.code,
        "co_agencies": [a.code for a in plan.co_agencies],
        "summary": plan.summary,
        "period_start": day_value(plan.period_start) or None,
        "period_end": day_value(plan.period_end) or None,
        "budget": plan.budget,
        "owner_id": plan.owner_id,
        "changes": plan.changes,
        "changes_html": plan.changes_html,
        "consultations": [
            {"id": c.id, "title": c.title, "status": c.status} for c in plan.consultations
        ],
        "indicators": [{"name": i.name, "target": i.target} for i in plan.indicators],
        "overdue_responses": [response_json(r) for r in overdue or []],
        "created_at": iso(plan.created_at),
        "updated_at": iso(plan.updated_at),
    }


def response_json(r: ThemeResponse) -> dict[str, Any]:
    return {
        "consultation_id": r.consultation_id,
        "theme_key": r.theme_key,
        "disposition": r.disposition,
        "reasoning": r.reasoning,
        "reasoning_html": r.reasoning_html,
        "responsible_unit": r.responsible_unit,
        "due_date": day_value(r.due_date) or None,
        "done_at": iso(r.done_at),
        "published_at": iso(r.published_at),
        "published_label": r.published_label,
        "overdue": responses.is_overdue(r),
        "updated_at": iso(r.updated_at),
    }


def review_json(r: PlanReview) -> dict[str, Any]:
    return {
        "id": r.id,
        "decision": r.decision,
        "comments": r.comments,
        "reviewer_id": r.reviewer_id,
        "checklist": r.checklist,
        "created_at": iso(r.created_at),
    }


# ---- after a publish ---------------------------------------------------------------------------


def queue_publish_mails(result: responses.PublishResult) -> None:
    """Declare one e-mail per notified person (only when MAIL_SERVER is set), sent by a job
    after the publish has committed ("mail.send" on the outbox)."""
    if not result.mails or not mail.configured():
        return
    batch = []
    for m in result.mails:
        link = url_for(
            "consultations.consultation", consultation_id=m.consultation_id, _external=True
        )
        batch.append(
            {
                "to": m.to,
                "subject": _(
                    "The agency responded to a theme you commented on: %(theme)s",
                    theme=m.theme_label,
                ),
                "body": _(
                    "Hello %(name)s,\n\nIn the consultation “%(title)s”, the agency published its "
                    "response to the theme “%(theme)s”, which includes your comment: "
                    "%(disposition)s.\n\nRead what was said and what was done: %(link)s\n",
                    name=m.name,
                    title=m.consultation_title,
                    theme=m.theme_label,
                    disposition=messages.label(messages.DISPOSITIONS, m.disposition),
                    link=link,
                ),
            }
        )
    site_mail.send_after_commit(db.session, batch)


# ---- template helpers ----------------------------------------------------------------------------


def public_outcome_for(consultation: Consultation) -> dict[str, Any]:
    """Data for plans/_outcome_public.html: published answers for everyone, plus overdue drafts
    and the responses link for those who may see them."""
    actor = current_actor()
    now = utcnow()
    items = responses.public_outcome(db.session, consultation.id, now=now)
    staff = responses.can_see_drafts(db.session, consultation, actor)
    overdue = responses.overdue_responses(db.session, [consultation.id], now=now) if staff else []
    return {"items": items, "staff": staff, "overdue": overdue, "now": now}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        plan_outcome=public_outcome_for,
        plan_labels=messages,
        plan_label=messages.label,
        outcome_links=outcome_links,
        plan_day_value=day_value,
    )
    app.jinja_env.filters["plan_day"] = day_text
