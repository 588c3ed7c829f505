"""JSON API of the social area under /api/v1: imports and participation figures."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_babel import get_locale

from deliberation import participation as figures
from deliberation.errors import DomainError, ValidationError
from deliberation.events import public_comment
from deliberation.services import comments, consultations, imports, stickiness

from ..errors import message_for
from ..extensions import db, limiter
from ..openapi.operation import operation
from ..params import json_body
from ..security import current_actor
from ..transaction import discard_changes
from . import api_bp
from . import schemas as sc
from .helpers import pseudonym_key


def _error_json(error: DomainError) -> dict[str, Any]:
    out: dict[str, Any] = {"code": error.code, "message": message_for(error.code, **error.params)}
    if "field" in error.params:
        out["field"] = error.params["field"]
    return out


def report_json(report: imports.ImportReport) -> dict[str, Any]:
    """Rows with their errors; the author handle is never echoed, only its pseudonym."""
    return {
        "committed": report.committed,
        "valid": report.valid,
        "invalid": report.invalid,
        "rows": [
            {
                "line": row.line,
                "platform": row.item.platform if row.item else row.raw.get("platform", ""),
                "url": row.item.url if row.item else row.raw.get("url", ""),
                "posted_at": row.item.posted_at.isoformat()
                if row.item and row.item.posted_at
                else None,
                "author_name": row.author_name,
                "action": row.action,
                "comment_id": row.comment_id,
                "errors": [_error_json(e) for e in row.errors],
            }
            for row in report.rows
        ],
    }


@api_bp.post("/threads/<int:thread_id>/imports")
@operation(
    "social",
    body=sc.ImportBody,
    responses={200: sc.ImportResult, 201: sc.ImportResult},
    errors=(401, 403, 404, 409),
)
@limiter.limit("30 per minute")
def create_import(thread_id: int):
    """One item ({platform, url, author, posted_at, text}) or {"csv": "..."}; "dry_run": true
    checks and previews without writing anything."""
    actor = current_actor()
    data = json_body()
    thread = comments.get_thread(db.session, thread_id, actor)
    imports.require_importer(actor, thread)
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise ValidationError("invalid_field", field="dry_run")
    max_chars = current_app.config["COMMENT_MAX_CHARS"]
    key = pseudonym_key()
    if "csv" in data:
        text = data["csv"]
        if not isinstance(text, str):
            raise ValidationError("invalid_field", field="csv")
        run = imports.preview_csv if dry_run else imports.commit_csv
        report = run(db.session, thread, text, actor=actor, key=key, max_chars=max_chars)
        if dry_run:
            discard_changes()
        return jsonify(report_json(report))
    if dry_run:
        item, errors = imports.check_item(data, max_chars=max_chars)
        if errors:
            raise errors[0]
        assert item is not None
        existing = imports.existing_import(db.session, thread.id, item.platform, item.url)
        discard_changes()
        return jsonify(
            {
                "dry_run": True,
                "action": "update" if existing is not None else "create",
                "comment_id": existing.id if existing is not None else None,
                "author_name": imports.pseudonym(key, item.platform, item.handle)[1],
            }
        )
    result = imports.import_one(db.session, thread, data, actor=actor, key=key, max_chars=max_chars)
    body = {"action": result.action, "comment": public_comment(result.comment, actor)}
    return jsonify(body), 201 if result.action == "created" else 200


@api_bp.get("/consultations/<int:consultation_id>/participation")
@operation("social", responses={200: sc.Participation}, errors=(401, 403, 404))
def participation(consultation_id: int):
    actor = current_actor()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    body = stickiness.participation(db.session, item, actor=actor).as_dict()
    # what each participation_* figure counts, in the reader's language (one data dictionary)
    body["participation_dictionary"] = figures.dictionary(
        "en" if str(get_locale()).startswith("en") else "zh-TW"
    )
    return jsonify(body)
