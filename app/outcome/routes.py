"""The outcome section's page, downloads, charts and API: parse → build → render (read only)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, render_template, request, url_for

from deliberation import outcome
from deliberation.errors import NotFound, ValidationError
from deliberation.outcome_rules import plan_agency_ids, sees_draft_responses

from ..extensions import db
from ..i18n import select_locale
from ..openapi.operation import operation
from ..security import current_actor
from . import bp, charts
from .render import FORMATS, MIMETYPES, json_dict, render, section_context
from .schemas import OUTCOME, OutcomeQuery


def _drafts_arg() -> bool | None:
    """?drafts=0 asks for published responses only (staff previewing what reviewers see)."""
    raw = request.args.get("drafts")
    if raw in (None, ""):
        return None
    if raw not in ("0", "1"):
        raise ValidationError("invalid_parameter", field="drafts")
    return raw == "1"


def _section(plan_id: int) -> outcome.OutcomeSection:
    return outcome.build_section(
        db.session,
        plan_id,
        actor=current_actor(),
        include_drafts=_drafts_arg(),
        lang=outcome.normalise_lang(str(select_locale())),
        tz=current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Taipei"),
    )


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def _download(section: outcome.OutcomeSection, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise ValidationError("invalid_outcome_format", field="format", format=fmt)
    data = render(section, fmt, base_url=_base_url())
    response = Response(data, mimetype=MIMETYPES[fmt])
    name = f"plan-{section.plan_id}-outcome.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/plans/<int:plan_id>/outcome")
def section(plan_id: int):
    """The printable section, with links to every download."""
    item = _section(plan_id)
    actor = current_actor()
    plan = outcome.load_plan(db.session, plan_id, actor=actor)
    drafts = _drafts_arg()

    # Downloads and charts carry the page's own choice; without one, each uses the same default
    # (published only once the plan is submitted or accepted).
    drafts_arg: dict[str, Any] = {} if drafts is None else {"drafts": int(drafts)}

    def chart_src(name: str) -> str:
        return url_for("outcome.chart", plan_id=plan_id, name=name, **drafts_arg)

    return render_template(
        "outcome/page.html",
        drafts_allowed=sees_draft_responses(actor, plan_agency_ids(plan)),
        drafts_arg=drafts_arg,
        **section_context(item, base_url="", chart_src=chart_src),
    )


@bp.get("/plans/<int:plan_id>/outcome.<fmt>")
def export(plan_id: int, fmt: str):
    if fmt not in FORMATS:
        raise ValidationError("invalid_outcome_format", field="format", format=fmt)
    return _download(_section(plan_id), fmt)


@bp.get("/plans/<int:plan_id>/outcome/charts/<name>.svg")
def chart(plan_id: int, name: str):
    data = charts.render(_section(plan_id), name, "svg")
    if data is None:
        raise NotFound("chart_not_found")
    # matplotlib writes style attributes inside the SVG; it is shown as an image (no scripts run).
    g.csp = {"style-src": "'self' 'unsafe-inline'"}
    response = Response(data, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/api/v1/plans/<int:plan_id>/outcome")
@operation("outcome", query=OutcomeQuery, responses={200: OUTCOME}, errors=(401, 403, 404))
def api_outcome(plan_id: int):
    """?format=json (default) | md | html | docx | csv"""
    fmt = request.args.get("format") or "json"
    if fmt not in FORMATS:
        raise ValidationError("invalid_outcome_format", field="format", format=fmt)
    item = _section(plan_id)
    if fmt == "json":
        response = current_app.json.response(json_dict(item))
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return _download(item, fmt)
