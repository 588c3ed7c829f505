"""/plan-link-requests: the page where staff answer requests to link their consultations."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from deliberation.errors import NotAuthenticated
from deliberation.plan_links import operations, queries, rules

from ..extensions import db
from ..security import current_actor
from . import bp


@bp.get("/plan-link-requests")
def index():
    actor = current_actor()
    if actor is None:
        raise NotAuthenticated()
    items = queries.visible_to(db.session, actor)
    return render_template(
        "plan_links/index.html",
        items=items,
        can_decide={r.id: rules.can_decide(actor, r.consultation.agency_id) for r in items},
    )


@bp.post("/plan-link-requests/<int:request_id>/<any(accept, decline):decision>")
def decide(request_id: int, decision: str):
    actor = current_actor()
    row = queries.get_request(db.session, request_id, actor)
    (operations.accept if decision == "accept" else operations.decline)(
        db.session, row, actor=actor
    )
    flash(
        _("The consultation is now linked to the plan.")
        if decision == "accept"
        else _("The request was declined; nothing was linked."),
        "success",
    )
    return redirect(url_for(".index"), 303)
