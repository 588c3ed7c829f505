"""JSON API of attachments under /api/v1."""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from deliberation.attachments import operations, queries
from deliberation.attachments.models import Attachment
from deliberation.services import consultations

from ..extensions import db
from ..openapi.operation import operation
from ..security import current_actor
from . import api_bp
from . import schemas as sc
from .routes import upload


def attachment_json(item: Attachment) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.filename,
        "kind": item.kind,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "created_at": item.created_at.isoformat(),
        "url": url_for(
            "attachments.download", consultation_id=item.consultation_id, attachment_id=item.id
        ),
    }


@api_bp.get("/consultations/<int:consultation_id>/attachments")
@operation("attachments", responses={200: sc.AttachmentList}, errors=(404,), public=True)
def listing(consultation_id: int):
    consultations.get_consultation(db.session, consultation_id, current_actor())
    items = queries.attachments_of(db.session, consultation_id)
    return jsonify({"items": [attachment_json(i) for i in items]})


@api_bp.post("/consultations/<int:consultation_id>/attachments")
@operation(
    "attachments", form=sc.UPLOAD, responses={201: sc.Attachment}, errors=(401, 403, 404, 409, 413)
)
def add(consultation_id: int):
    """multipart/form-data with `file` (staff of the consultation's agency)."""
    return jsonify(attachment_json(upload(consultation_id))), 201


@api_bp.delete("/consultations/<int:consultation_id>/attachments/<int:attachment_id>")
@operation("attachments", responses={200: sc.Removed}, errors=(401, 403, 404))
def remove(consultation_id: int, attachment_id: int):
    queries.for_download(db.session, consultation_id, attachment_id, current_actor())
    item = operations.remove_attachment(db.session, attachment_id, actor=current_actor())
    return jsonify({"id": item.id, "removed": True})
