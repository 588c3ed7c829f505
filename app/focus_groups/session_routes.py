"""Pages: invitations by signed link (staff send, the holder volunteers), and the panel's
sessions (schedule, mail, attendance, notes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import DomainError, ValidationError
from deliberation.focus_groups import invitations, notes, operations, queries, rules, sessions
from deliberation.focus_groups.models import FocusSession
from deliberation.models import Consultation

from ..errors import message_for, status_for
from ..extensions import db
from ..transaction import discard_changes
from . import bp
from . import mail as group_mail
from .routes import _int_field, _render_staff, consultation_for_staff

TAIPEI = ZoneInfo("Asia/Taipei")


def _when(value: str) -> datetime:
    """A datetime-local field, read as Taiwan time."""
    try:
        local = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ValidationError("focus_session_field", field="starts_at") from None
    return local.replace(tzinfo=TAIPEI).astimezone(UTC)


# ---- invitations (staff) ------------------------------------------------------------------------


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/invitations")
def send_invitations(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)
    try:
        group = queries.require_group(db.session, consultation_id)
        addresses = invitations.parse_addresses(request.form.get("addresses", ""))
        rows = invitations.invite(db.session, group, addresses, actor=actor)
        sent = group_mail.send_invitation_links(db.session, group, rows)
    except DomainError as error:
        discard_changes()
        return _render_staff(
            consultation, error=message_for(error.code, **error.params), status=status_for(error)
        )
    flash(_("%(n)s invitation links were mailed.", n=sent), "success")
    return redirect(url_for("focus_groups.staff_page", consultation_id=consultation_id))


# ---- the invitation holder ------------------------------------------------------------------------


def _holder_page(token: str, *, error: str | None = None, status: int = 200):
    invitation = invitations.invitation_for(db.session, current_app.config["SECRET_KEY"], token)
    group = queries.require_group_by_id(db.session, invitation.focus_group_id)
    mine = invitations.volunteer_of(db.session, invitation)
    draw = queries.latest_draw(db.session, group)
    return (
        render_template(
            "focus_groups/invitation.html",
            token=token,
            consultation=group.consultation,
            group=group,
            mine=mine,
            categories=rules.categories_of(queries.quotas_of(group)),
            summary=queries.public_summary(draw),
            pool_size=queries.pool_size(db.session, group),
            error=error,
        ),
        status,
    )


def _invalid_link(error: ValidationError):
    """A changed, expired or used-up invitation link: the reason, in the reader's language."""
    return render_template(
        "focus_groups/invitation_invalid.html", error=message_for(error.code, **error.params)
    ), 400


@bp.get("/focus-groups/invitation/<token>")
def invitation_page(token: str):
    """The invited person's page: no account needed, the link is the key."""
    try:
        return _holder_page(token)
    except ValidationError as error:
        return _invalid_link(error)


@bp.post("/focus-groups/invitation/<token>")
def invitation_volunteer(token: str):
    try:
        invitation = invitations.invitation_for(db.session, current_app.config["SECRET_KEY"], token)
    except ValidationError as error:
        return _invalid_link(error)
    group = queries.require_group_by_id(db.session, invitation.focus_group_id)
    given = {
        c: request.form.get(f"attr_{i}", "")
        for i, c in enumerate(rules.categories_of(queries.quotas_of(group)))
    }
    try:
        invitations.volunteer(
            db.session,
            invitation,
            attributes=given,
            consent=request.form.get("consent") == "yes",
            notice_version=request.form.get("notice_version", ""),
        )
    except DomainError as error:
        discard_changes()
        return _holder_page(
            token, error=message_for(error.code, **error.params), status=status_for(error)
        )
    flash(_("Thank you: you are in the pool for this focus group."), "success")
    return redirect(url_for("focus_groups.invitation_page", token=token))


@bp.post("/focus-groups/invitation/<token>/withdraw")
def invitation_withdraw(token: str):
    try:
        invitation = invitations.invitation_for(db.session, current_app.config["SECRET_KEY"], token)
    except ValidationError as error:
        return _invalid_link(error)
    group = queries.require_group_by_id(db.session, invitation.focus_group_id)
    mine = invitations.volunteer_of(db.session, invitation)
    if mine is None:
        return _holder_page(token, error=message_for("focus_volunteer_not_found"), status=404)
    # The signed link is the holder's key: it reaches their own pool entry and nothing else.
    operations.withdraw(db.session, group, mine, actor=None, operator=True)
    flash(_("You have withdrawn from this focus group."), "success")
    return redirect(url_for("focus_groups.invitation_page", token=token))


# ---- sessions (staff) ---------------------------------------------------------------------------


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/sessions")
def create_session(consultation_id: int):
    consultation, _actor = consultation_for_staff(consultation_id)
    try:
        group = queries.require_group(db.session, consultation_id)
        fs = sessions.schedule(
            db.session,
            group,
            starts_at=_when(request.form.get("starts_at", "")),
            place=request.form.get("place", ""),
            online_url=request.form.get("online_url", ""),
            facilitator=request.form.get("facilitator", ""),
            agenda=request.form.get("agenda", ""),
            thread_id=_int_field("thread_id", 0),
        )
    except DomainError as error:
        discard_changes()
        return _render_staff(
            consultation, error=message_for(error.code, **error.params), status=status_for(error)
        )
    flash(_("The session was scheduled."), "success")
    return redirect(
        url_for("focus_groups.session_page", consultation_id=consultation_id, session_id=fs.id)
    )


def _render_session(
    consultation: Consultation, fs: FocusSession, *, error: str | None = None, status: int = 200
):
    group = queries.require_group(db.session, consultation.id)
    people, missing = sessions.recipients(db.session, group, fs)
    return (
        render_template(
            "focus_groups/session.html",
            consultation=consultation,
            group=group,
            fs=fs,
            addresses={p.label for p in people},
            missing=missing,
            statements=sessions.statements_of(db.session, fs),
            error=error,
        ),
        status,
    )


def _session_action(
    consultation_id: int, session_id: int, action: Callable[[Any, FocusSession], None]
) -> Any:
    consultation, _actor = consultation_for_staff(consultation_id)
    group = queries.require_group(db.session, consultation_id)
    fs = sessions.require_session(db.session, group, session_id)
    try:
        action(group, fs)
    except DomainError as error:
        discard_changes()
        fs = sessions.require_session(db.session, group, session_id)
        return _render_session(
            consultation,
            fs,
            error=message_for(error.code, **error.params),
            status=status_for(error),
        )
    return redirect(
        url_for("focus_groups.session_page", consultation_id=consultation_id, session_id=fs.id)
    )


@bp.get("/staff/consultations/<int:consultation_id>/focus-group/sessions/<int:session_id>")
def session_page(consultation_id: int, session_id: int):
    consultation, _actor = consultation_for_staff(consultation_id)
    group = queries.require_group(db.session, consultation_id)
    return _render_session(consultation, sessions.require_session(db.session, group, session_id))


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/sessions/<int:session_id>/mail")
def session_mail(consultation_id: int, session_id: int):
    kind = "remind" if request.form.get("kind") == "remind" else "invite"

    def act(group: Any, fs: FocusSession) -> None:
        sent, missing = group_mail.send_session_mail(db.session, group, fs, kind)
        message = (
            _("The invitation was mailed to %(n)s members.", n=sent)
            if kind == "invite"
            else _("The reminder was mailed to %(n)s members.", n=sent)
        )
        if missing:
            message += " " + _(
                "%(n)s members have no address here (imported from a list): contact them as "
                "they were recruited.",
                n=missing,
            )
        flash(message, "success")

    return _session_action(consultation_id, session_id, act)


@bp.post(
    "/staff/consultations/<int:consultation_id>/focus-group/sessions/<int:session_id>/attendance"
)
def session_attendance(consultation_id: int, session_id: int):
    def act(_group: Any, fs: FocusSession) -> None:
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        came = sessions.record_attendance(fs, present)
        flash(_("Attendance saved: %(n)s came.", n=came), "success")

    return _session_action(consultation_id, session_id, act)


@bp.post("/staff/consultations/<int:consultation_id>/focus-group/sessions/<int:session_id>/notes")
def session_notes(consultation_id: int, session_id: int):
    consultation, actor = consultation_for_staff(consultation_id)

    def act(_group: Any, fs: FocusSession) -> None:
        upload = request.files.get("transcript")
        if upload is not None and upload.filename:
            text = notes.text_of_upload(upload.filename, upload.read())
        else:
            text = request.form.get("notes", "")
        written = sessions.add_notes(db.session, fs, text, actor=actor)
        flash(
            _(
                "%(n)s statements were added to the thread; they join the theme analysis "
                "marked 座談會.",
                n=len(written),
            ),
            "success",
        )

    return _session_action(consultation.id, session_id, act)
