"""Upload and remove (staff forms) and download (everyone who may see the consultation)."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from deliberation.attachments import operations, queries
from deliberation.attachments.models import Attachment
from deliberation.errors import DomainError
from deliberation.services import consultations

from ..errors import message_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .storage import scanner, store


def upload(consultation_id: int) -> Attachment:
    """Check, scan, store and record the uploaded file; the new Attachment."""
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    file = request.files.get("file")
    data = b""
    if file is not None:
        with file.stream:  # a large upload is spooled to a temporary file: close it now
            data = file.read()
    return operations.add_attachment(
        db.session,
        consultation,
        (file.filename or "") if file is not None else "",
        data,
        actor=actor,
        store=store(),
        max_bytes=int(current_app.config["ATTACHMENT_MAX_BYTES"]),
        scan=scanner(),
    )


@bp.post("/staff/consultations/<int:consultation_id>/attachments")
def add(consultation_id: int):
    page = url_for("consultations.consultation", consultation_id=consultation_id) + "#attachments"
    try:
        item = upload(consultation_id)
    except DomainError as error:
        if error.code in ("not_authenticated", "not_agency_staff", "not_found"):
            raise
        discard_changes()
        flash(message_for(error.code, **error.params), "error")
        return redirect(page, 303)
    flash(_("“%(name)s” was attached.", name=item.filename), "success")
    return redirect(page, 303)


@bp.post("/staff/consultations/<int:consultation_id>/attachments/<int:attachment_id>/remove")
def remove(consultation_id: int, attachment_id: int):
    queries.for_download(db.session, consultation_id, attachment_id, current_actor())
    item = operations.remove_attachment(db.session, attachment_id, actor=current_actor())
    flash(_("“%(name)s” was removed.", name=item.filename), "success")
    page = url_for("consultations.consultation", consultation_id=consultation_id)
    return redirect(page + "#attachments", 303)


@bp.get("/consultations/<int:consultation_id>/attachments/<int:attachment_id>")
def download(consultation_id: int, attachment_id: int):
    """The file, always as a download (never rendered by the browser on this origin)."""
    item = queries.for_download(db.session, consultation_id, attachment_id, current_actor())
    response = send_file(
        store().path(item.stored_name),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
