"""/staff/webhooks: an agency's staff add, test, switch off and read the log of its webhooks."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from deliberation.errors import DomainError, Forbidden, NotAuthenticated, ValidationError
from deliberation.models import Agency, Role, User
from deliberation.webhooks import operations, queries, rules
from deliberation.webhooks.models import Webhook

from ..errors import message_for, status_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .jobs import policy
from .messages import DELIVERY_STATUSES, EVENTS


def manager() -> User:
    """Staff of an agency or an admin: 401 without an account, 403 for anyone else."""
    actor = current_actor()
    if actor is None:
        raise NotAuthenticated()
    if not (actor.role == Role.ADMIN or (actor.role == Role.STAFF and actor.agency_id)):
        raise Forbidden("webhook_staff_only")
    return actor


def webhook_for(webhook_id: int) -> tuple[Webhook, User]:
    """The webhook, after the one rule (its agency's staff, or an admin)."""
    actor = manager()
    hook = queries.get(db.session, webhook_id)
    if not rules.can_manage(actor, hook.agency_id):
        raise Forbidden("webhook_staff_only")
    return hook, actor


def scope(actor: User) -> list[int] | None:
    """The agencies whose webhooks the actor sees (None: all, for an admin)."""
    return None if actor.role == Role.ADMIN else [int(actor.agency_id or 0)]


def _render(actor: User, *, error: str | None = None, status: int = 200):
    hooks = queries.of_agencies(db.session, scope(actor))
    logs = {h.id: queries.log(db.session, h.id) for h in hooks}
    agencies = (
        list(db.session.scalars(select(Agency).order_by(Agency.name)))
        if actor.role == Role.ADMIN
        else []
    )
    return (
        render_template(
            "webhooks/index.html",
            hooks=hooks,
            logs=logs,
            counts=queries.counts(db.session, [h.id for h in hooks]),
            agencies=agencies,
            events=rules.SUBSCRIBABLE,
            event_words=EVENTS,
            status_words=DELIVERY_STATUSES,
            form=request.form if request.method == "POST" else {},
            chosen=request.form.getlist("events") if request.method == "POST" else [],
            error=error,
            require_https=bool(current_app.config.get("WEBHOOK_REQUIRE_HTTPS")),
        ),
        status,
    )


@bp.get("/staff/webhooks")
def index():
    return _render(manager())


def _agency(actor: User) -> Agency:
    if actor.role != Role.ADMIN:
        agency = db.session.get(Agency, actor.agency_id)
    else:
        code = request.form.get("agency", "").strip()
        agency = db.session.scalar(select(Agency).where(Agency.code == code)) if code else None
    if agency is None:
        raise ValidationError("webhook_unknown_agency", field="agency")
    return agency


@bp.post("/staff/webhooks")
def create():
    actor = manager()
    try:
        operations.create(
            db.session,
            _agency(actor),
            url=request.form.get("url", ""),
            events=request.form.getlist("events"),
            actor=actor,
            policy=policy(),
            require_https=bool(current_app.config.get("WEBHOOK_REQUIRE_HTTPS")),
        )
    except DomainError as error:
        discard_changes()
        return _render(
            actor, error=message_for(error.code, **error.params), status=status_for(error)
        )
    flash(_("The webhook was added. Copy its secret into the receiving system."), "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/staff/webhooks/<int:webhook_id>/test")
def send_test(webhook_id: int):
    hook, actor = webhook_for(webhook_id)
    operations.send_test(db.session, hook, actor=actor)
    flash(_("A test delivery was sent; its result is in the log below."), "success")
    return redirect(url_for("webhooks.index", _anchor=f"webhook-{hook.id}"))


@bp.post("/staff/webhooks/<int:webhook_id>/active")
def set_active(webhook_id: int):
    hook, actor = webhook_for(webhook_id)
    active = request.form.get("active") == "1"
    operations.set_active(db.session, hook, active, actor=actor)
    flash(
        _("The webhook is on again.") if active else _("The webhook is off: nothing more is sent."),
        "success",
    )
    return redirect(url_for("webhooks.index", _anchor=f"webhook-{hook.id}"))


@bp.post("/staff/webhooks/<int:webhook_id>/secret")
def rotate(webhook_id: int):
    hook, actor = webhook_for(webhook_id)
    operations.rotate_secret(db.session, hook, actor=actor)
    flash(_("A new secret was made; update the receiving system now."), "success")
    return redirect(url_for("webhooks.index", _anchor=f"webhook-{hook.id}"))
