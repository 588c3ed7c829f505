"""Agency staff: create, edit and publish consultations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from deliberation import rules
from deliberation.errors import DomainError
from deliberation.models import Consultation
from deliberation.search import listing
from deliberation.services import consultations
from deliberation.services.consultations import SectionInput

from ..errors import message_for, status_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .forms import ConsultationForm

EXTRA_SECTION_SLOTS = 2


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _aware(value: datetime | None) -> datetime | None:
    """The form's Taiwan wall-clock time as an aware datetime."""
    return value.replace(tzinfo=_tz()) if value is not None else None


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(_tz()).replace(tzinfo=None) if value is not None else None


def _sections(form: ConsultationForm) -> list[SectionInput]:
    out = []
    for entry in form.sections.entries:
        raw_id = (entry.form.id.data or "").strip()
        out.append(
            SectionInput(
                id=int(raw_id) if raw_id.isdigit() else None,
                title=entry.form.title.data or "",
                body=entry.form.body.data or "",
            )
        )
    return out


def _pad(form: ConsultationForm) -> None:
    """Leave a couple of empty section slots to type into (the page's script adds more)."""
    empty = sum(
        1
        for e in form.sections.entries
        if not (e.form.title.data or "").strip() and not (e.form.body.data or "").strip()
    )
    for _slot in range(max(0, EXTRA_SECTION_SLOTS - empty)):
        form.sections.append_entry()


@bp.route("/consultations/new", methods=["GET", "POST"])
@login_required
def new():
    actor = current_actor()
    if not rules.can_create_consultation(actor):
        abort(403)
    form = ConsultationForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            item = consultations.create_consultation(
                db.session,
                actor=actor,
                title=form.title.data or "",
                summary=form.summary.data or "",
                body=form.body.data or "",
                sections=_sections(form),
                status=form.status.data or "draft",
                opens_at=_aware(form.opens_at.data),
                closes_at=_aware(form.closes_at.data),
            )
            listing.set_tags(db.session, item, form.tags.data or "", actor=actor)
        except DomainError as err:
            discard_changes()
            error, status = message_for(err.code, **err.params), status_for(err)
        else:
            flash(_("The consultation was created."), "success")
            return redirect(url_for("consultations.consultation", consultation_id=item.id))
    elif form.is_submitted():
        error, status = _form_problem(form), 400
    _pad(form)
    return render_template(
        "staff/consultation_form.html", form=form, error=error, consultation=None
    ), status


def _form_problem(form: ConsultationForm) -> str:
    if form.csrf_token.errors:
        return message_for("csrf_failed")
    if form.opens_at.errors or form.closes_at.errors:
        return message_for("invalid_date")
    return message_for("bad_request")


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int):
    actor = current_actor()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    if not rules.can_manage_consultation(actor, item):
        abort(403)
    error = None
    status = 200
    if request.method == "GET":
        form = ConsultationForm(
            data={
                "title": item.title,
                "summary": item.summary,
                "body": item.body,
                "status": item.status,
                "opens_at": _local(item.opens_at),
                "closes_at": _local(item.closes_at),
                "tags": "，".join(listing.tags_of(db.session, [item.id]).get(item.id, [])),
                "sections": [
                    {"id": str(s.id), "title": s.title, "body": s.body} for s in item.sections
                ],
            }
        )
    else:
        form = ConsultationForm()
        if form.validate_on_submit():
            try:
                consultations.update_consultation(
                    db.session,
                    item,
                    actor=actor,
                    title=form.title.data or "",
                    summary=form.summary.data or "",
                    body=form.body.data or "",
                    sections=_sections(form),
                    status=form.status.data,
                    opens_at=_aware(form.opens_at.data),
                    closes_at=_aware(form.closes_at.data),
                )
                listing.set_tags(db.session, item, form.tags.data or "", actor=actor)
            except DomainError as err:
                discard_changes()
                error, status = message_for(err.code, **err.params), status_for(err)
            else:
                flash(_("The consultation was saved."), "success")
                return redirect(url_for("consultations.consultation", consultation_id=item.id))
        else:
            error, status = _form_problem(form), 400
    _pad(form)
    return render_template(
        "staff/consultation_form.html", form=form, error=error, consultation=item
    ), status


@bp.route("/consultations/<int:consultation_id>/status", methods=["POST"])
@login_required
def set_status(consultation_id: int):
    actor = current_actor()
    item: Consultation = consultations.get_consultation(db.session, consultation_id, actor)
    try:
        consultations.set_status(db.session, item, request.form.get("status", ""), actor=actor)
    except DomainError as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
    else:
        flash(_("The status was changed."), "success")
    return redirect(url_for("consultations.consultation", consultation_id=item.id))
