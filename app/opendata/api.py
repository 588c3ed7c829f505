"""/api/v1/open-data: the datasets, their manifests (files, checksums, quality, metadata)."""

from __future__ import annotations

from flask import jsonify

from deliberation.opendata import store

from ..extensions import db
from ..openapi.operation import operation
from . import api_bp
from . import schemas as sc
from .helpers import ensure, entry, listing


@api_bp.get("/open-data")
@operation("open-data", responses={200: sc.DatasetList}, public=True)
def datasets():
    items, totals = listing()
    return jsonify({"datasets": items, "totals": totals})


@api_bp.get("/open-data/<int:consultation_id>")
@operation("open-data", responses={200: sc.Dataset}, errors=(404,), public=True)
def dataset(consultation_id: int):
    consultation = store.available(db.session, consultation_id)
    manifest, _path = ensure(consultation)
    return jsonify({**entry(consultation, manifest), "manifest": manifest})
