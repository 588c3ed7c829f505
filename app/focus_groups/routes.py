"""Pages: the explanation of the lottery, the volunteer page, the staff's setup and draw page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import DomainError, Forbidden, NotAuthenticated, NotFound, ValidationError
from deliberation.focus_groups import lottery, operations, queries, rules, sessions
from deliberation.focus_groups.models import FocusVolunteer
from deliberation.models import Consultation, User
from deliberation.services import consultations

from ..errors import message_for, status_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp


def consultation_for_staff(consultation_id: int) -> tuple[Consultation, User]:
    """The consultation, after the one rule: 401 without an account, 403 for anyone but its staff."""
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_manage(actor, consultation):
        raise Forbidden("focus_staff_only")
    return consultation, actor


def focus_group_of(consultation_id: int) -> Any:
    """The consultation's focus group or None (a template helper)."""
    return queries.group_of(db.session, consultation_id)


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError("invalid_field", field="retain_until") from None
    return datetime.combine(day, time(), tzinfo=UTC)


def _int_field(name: str, default: int | None = None) -> int:
    raw = request.form.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationError("invalid_field", field=name) from None


@bp.get("/focus-groups/lottery")
def explain():
    """The plain-language page on how the panel is drawn."""
    return render_template(
        "focus_groups/explain.html",
        version=lottery.package_version(),
        default_algorithm=lottery.DEFAULT_ALGORITHM,
    )


def _render_volunteer(consultation: Consultation, *, error: str | None = None, status: int = 200):
    actor = current_actor()
    group = queries.group_of(db.session, consultation.id)
    mine = queries.volunteer_of(db.session, group, actor) if group else None
    draw = queries.latest_draw(db.session, group) if group else None
    categories = rules.categories_of(queries.quotas_of(group)) if group else {}
    return (
        render_template(
            "focus_groups/volunteer.html",
            consultation=consultation,
            group=group,
            mine=mine,
            categories=categories,
            summary=queries.public_summary(draw),
            pool_size=queries.pool_size(db.session, group) if group else 0,
            error=error,
        ),
        status,
    )


@bp.get("/consultations/<int:consultation_id>/focus-group")
def volunteer_page(consultation_id: int):
    consultation = consultations.get_consultation(db.session, consultation_id, current_actor())
    return _render_volunteer(consultation)


@bp.post("/consultations/<int:consultation_id>/focus-group")
def volunteer(consultation_id: int):
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    if actor is None:
        raise NotAuthenticated()
    group = queries.require_group(db.session, consultation_id)
    given = {
        c: request.form.get(f"attr_{i}", "")
        for i, c in enumerate(rules.categories_of(queries.quotas_of(group)))
    }
    try:
        operations.volunteer(
            db.session,
            group,
            actor=actor,
            attributes=given,
            consent=request.form.get("consent") == "yes",
            notice_version=request.form.get("notice_version", ""),
        )
    except DomainError as error:
        discard_changes()
        return _render_volunteer(
            consultation, error=message_for(error.code, **error.params), status=status_for(error)
        )
    flash(_("Thank you: you are in the pool for this focus group."), "success")
    return redirect(url_for("focus_groups.volunteer_page", consultation_id=consultation_id))


@bp.post("/consultations/<int:consultation_id>/focus-group/withdraw")
def withdraw_self(consultation_id: int):
    actor = current_actor()
    consultations.get_consultation(db.session, consultation_id, actor)
    if actor is None:
        raise NotAuthenticated()
    group = queries.require_group(db.session, consultation_id)
    mine = queries.volunteer_of(db.session, group, actor)
    if mine is None:
        raise NotFound("focus_volunteer_not_found")
    operations.withdraw(db.session, group, mine, actor=actor)
    flash(_("You have withdrawn from this focus group."), "success")
    return redirect(url_for("focus_groups.volunteer_page", consultation_id=consultation_id))


def _render_staff(consultation: Consultation, *, error: str | None = None, status: int = 200):
    group = queries.group_of(db.session, consultation.id)
    quotas = queries.quotas_of(group) if group else []
    pool = queries.pool_of(db.session, group) if group else {}
    draw = queries.latest_draw(db.session, group) if group else None
    return (
        render_template(
            "focus_groups/staff.html",
            consultation=consultation,
            group=group,
            quotas=quotas,
            counts=queries.feature_counts(pool, quotas),
            volunteers=queries.volunteers(db.session, group) if group else [],
            draw=draw,
            summary=queries.public_summary(draw),
            algorithms=lottery.ALGORITHMS,
            invitations=queries.invitations_of(db.session, group) if group else [],
            sessions=sessions.sessions_of(db.session, group) if group else [],
            threads=sorted(consultation.threads, key=lambda t: t.id),
            error=error,
            hint=rules.PANEL_SIZE_HINT,
        ),
        status,
    )


def _staff_action(consultation: Consultation, action: Callable[[], None]) -> Any:
    try:
        action()
    except DomainError as error:
        discard_changes()
        return _render_staff(
            consultation, error=message_for(error.code, **error.params), status=status_for(error)
        )
    return redirect(url_for("focus_groups.staff_page", consultation_id=consultation.id))


@bp.get("/staff/consultations/<int:consultation_id>/focus-group")
def staff_page(consultation_id: int):
    consultation, _actor = consultation_for_staff(consultation_id)
    return _render_staff(consultation)


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/settings")
def settings(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)

    def act() -> None:
        operations.configure(
            db.session,
            consultation,
            actor=actor,
            panel_size=_int_field("panel_size", rules.DEFAULT_PANEL_SIZE),
            retain_until=_date(request.form.get("retain_until", "")),
        )
        flash(_("The focus group settings were saved."), "success")

    return _staff_action(consultation, act)


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/quotas")
def set_quotas(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)

    def act() -> None:
        group = queries.require_group(db.session, consultation_id)
        quotas = rules.parse_quotas(request.form.get("quotas_csv", ""))
        operations.set_quotas(db.session, group, quotas, actor=actor)
        flash(_("The quotas were saved."), "success")

    return _staff_action(consultation, act)


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/draw")
def run_draw(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)

    def act() -> None:
        group = queries.require_group(db.session, consultation_id)
        operations.draw(
            db.session,
            group,
            actor=actor,
            seed=_int_field("seed"),
            size=_int_field("size", group.panel_size),
            algorithm=request.form.get("algorithm", lottery.DEFAULT_ALGORITHM),
            max_pool=rules.WEB_DRAW_MAX,
        )
        flash(_("The panel was drawn."), "success")

    return _staff_action(consultation, act)


@bp.post(
    "/staff/consultations/<int:consultation_id>/focus-group/volunteers/<int:volunteer_id>/withdraw"
)
def withdraw_member(consultation_id: int, volunteer_id: int):
    consultation, actor = consultation_for_staff(consultation_id)

    def act() -> None:
        group = queries.require_group(db.session, consultation_id)
        person = db.session.get(FocusVolunteer, volunteer_id)
        if person is None or person.focus_group_id != group.id:
            raise NotFound("focus_volunteer_not_found")
        replacement = operations.withdraw(db.session, group, person, actor=actor)
        if replacement is not None:
            flash(
                _(
                    "%(id)s withdrew; %(new)s from the reserve takes the seat.",
                    id=person.pool_id,
                    new=replacement.pool_id,
                ),
                "success",
            )
        elif person.status == "withdrawn":
            flash(
                _(
                    "%(id)s withdrew; nobody in the reserve keeps every quota, so the seat "
                    "stays empty.",
                    id=person.pool_id,
                ),
                "warning",
            )

    return _staff_action(consultation, act)


@bp.get("/staff/consultations/<int:consultation_id>/focus-group/audit.json")
def audit(consultation_id: int):
    consultation_for_staff(consultation_id)
    group = queries.require_group(db.session, consultation_id)
    draw = queries.latest_draw(db.session, group)
    if draw is None:
        raise NotFound("focus_group_not_found")
    response = jsonify(draw.record)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=focus-group-{consultation_id}-audit.json"
    )
    return response
