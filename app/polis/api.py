"""Polis import and export under /api/v1 (docs/polis.md): thin views over services/polis_io."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

from flask import jsonify, request, send_file, url_for

from deliberation.errors import Forbidden, NotAuthenticated, ValidationError
from deliberation.polis_rules import import_refusal
from deliberation.services import polis_io

from ..extensions import db, limiter
from ..openapi.operation import operation
from ..security import current_actor
from . import api_bp as bp
from . import schemas as sc

_TRUE = {"1", "true", "yes", "on"}


@bp.post("/consultations/import-polis")
@operation("polis", form=sc.UPLOAD, responses={201: sc.Imported}, errors=(401, 403, 404, 409, 413))
@limiter.limit("10 per minute")
def import_polis():
    """Multipart: files `comments` and `votes`; fields title, agency, slug, skip_unknown_votes."""
    actor = current_actor()
    # Refuse people who may import nowhere before reading their upload.
    refusal = import_refusal(actor, actor.agency_id if actor is not None else None)
    if refusal == "not_authenticated":
        raise NotAuthenticated(refusal)
    if refusal is not None:
        raise Forbidden(refusal)
    uploads = {name: request.files.get(name) for name in ("comments", "votes")}
    if any(f is None for f in uploads.values()):
        raise ValidationError("polis_upload_missing", field="comments")
    form = request.form
    with tempfile.TemporaryDirectory(prefix="polis-") as tmp:
        paths = {}
        digest = hashlib.sha256()
        for name, upload in uploads.items():
            assert upload is not None
            raw = upload.read()
            digest.update(hashlib.sha256(raw).digest())
            path = Path(tmp) / f"{name}.csv"
            path.write_bytes(raw)
            paths[name] = path
        slug = form.get("slug")
        if slug is None:
            # No name given: the content names it, so the same upload twice is refused.
            slug = "upload-" + digest.hexdigest()[:12]
        name = polis_io.slugify(slug)
        if not name:
            raise ValidationError("polis_bad_slug", field="slug")
        data = polis_io.parse_files(
            paths["comments"],
            paths["votes"],
            slug=name,
            skip_unknown_votes=(form.get("skip_unknown_votes") or "").lower() in _TRUE,
        )
    result = polis_io.import_polis(
        db.session,
        data,
        actor=actor,
        title=form.get("title"),
        agency_code=form.get("agency"),
    )
    body = {"id": result.consultation_id, **result.as_dict()}
    body["url"] = url_for(
        "consultations.consultation", consultation_id=result.consultation_id, _external=False
    )
    return jsonify(body), 201


@bp.get("/consultations/<int:consultation_id>/export-polis")
@operation("polis", responses={200: sc.ZIP}, errors=(401, 403, 404))
@limiter.limit("30 per minute")
def export_polis(consultation_id: int):
    """A zip of comments.csv, votes.csv and participants-votes.csv."""
    export = polis_io.export_polis(db.session, consultation_id, actor=current_actor())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in export.files.items():
            archive.writestr(name, text.encode("utf-8"))
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"polis-{consultation_id}.zip",
        max_age=0,
    )
