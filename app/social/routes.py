"""Staff pages (import from other media, participation figures) and the public widget."""

from __future__ import annotations

import base64
import binascii

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import DomainError, ValidationError
from deliberation.services import comments, consultations, imports, stickiness

from ..errors import message_for, status_for
from ..extensions import db, limiter
from ..params import id_value
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .helpers import pseudonym_key

SINGLE_FIELDS = ("platform", "url", "author", "posted_at", "text")
WIDGET_DEFAULT, WIDGET_MAX = 5, 10


def _error_list(errors: list[DomainError]) -> list[str]:
    return [message_for(e.code, **e.params) for e in errors]


def _render_import(
    thread, *, single=None, error=None, csv_error=None, csv_text="", report=None, status=200
):
    return (
        render_template(
            "social/import.html",
            thread=thread,
            consultation=thread.consultation,
            platforms=imports.PLATFORMS,
            columns=imports.CSV_COLUMNS,
            single=single or {},
            error=error,
            csv_error=csv_error,
            csv_text=csv_text,
            report=report,
            row_errors=_error_list,
            csv_b64=csv_b64,
        ),
        status,
    )


def _uploaded_csv(step: str) -> str:
    """The CSV text: on confirm, the previewed text sent back base64-encoded (lossless: an HTML
    attribute would turn a lone CR or a NUL into something else); on preview, the upload or the
    pasted text."""
    if step == "confirm":
        try:
            return base64.b64decode(request.form.get("csv_b64", ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError("invalid_field", field="csv_b64") from None
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return imports.decode_upload(upload.read())
    return request.form.get("csv_text", "")


def csv_b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


@bp.route("/staff/threads/<int:thread_id>/import", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def import_page(thread_id: int):
    """One item by hand, or a CSV: upload → preview with per-row errors → confirm."""
    actor = current_actor()
    thread = comments.get_thread(db.session, thread_id, actor)
    imports.require_importer(actor, thread)  # 401/403 before any form is shown or read
    if request.method == "GET":
        return _render_import(thread)
    step = request.form.get("step", "")
    max_chars = current_app.config["COMMENT_MAX_CHARS"]
    if step == "single":
        data = {name: request.form.get(name, "") for name in SINGLE_FIELDS}
        try:
            result = imports.import_one(
                db.session, thread, data, actor=actor, key=pseudonym_key(), max_chars=max_chars
            )
        except DomainError as err:
            discard_changes()
            # The handle is not echoed back into the page: it is typed again if needed.
            data["author"] = ""
            return _render_import(
                thread,
                single=data,
                error=message_for(err.code, **err.params),
                status=status_for(err),
            )
        flash(
            {
                "created": _("The post was imported."),
                "updated": _("The post was imported before; its text was updated."),
                "unchanged": _("The post was imported before and has not changed."),
            }[result.action],
            "success",
        )
        return redirect(
            url_for("consultations.thread", thread_id=thread.id) + f"#c{result.comment.id}"
        )
    if step not in ("preview", "confirm"):
        raise ValidationError("invalid_field", field="step")
    try:
        text = _uploaded_csv(step)
        run = imports.preview_csv if step == "preview" else imports.commit_csv
        report = run(
            db.session, thread, text, actor=actor, key=pseudonym_key(), max_chars=max_chars
        )
        if step != "confirm":
            discard_changes()  # a preview reads only; make sure of it
    except DomainError as err:
        discard_changes()
        return _render_import(
            thread, csv_error=message_for(err.code, **err.params), status=status_for(err)
        )
    return _render_import(thread, csv_text=text, report=report)


@bp.get("/staff/consultations/<int:consultation_id>/participation")
def participation(consultation_id: int):
    actor = current_actor()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    figures = stickiness.participation(db.session, item, actor=actor)
    return render_template(
        "social/participation.html",
        consultation=item,
        threads=consultations.ordered_threads(item),
        figures=figures,
        s=figures.stickiness,
        embed_url=url_for(".embed", consultation_id=item.id, _external=True),
    )


@bp.get("/embed/consultations/<int:consultation_id>")
def embed(consultation_id: int):
    """The widget an agency's site may frame: always the public's view, never the viewer's."""
    item = consultations.get_consultation(db.session, consultation_id, None)
    limit = min(id_value(request.args.get("limit")) or WIDGET_DEFAULT, WIDGET_MAX)
    here, imported = stickiness.visible_count(db.session, item.id)
    g.csp = {"frame-ancestors": "*"}  # this response only (app/security.py)
    return render_template(
        "social/embed.html",
        consultation=item,
        latest=stickiness.latest_comments(db.session, item.id, limit=limit),
        count_here=here,
        count_imported=imported,
    )
