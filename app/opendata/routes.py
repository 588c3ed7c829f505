"""The /open-data pages and the ZIP download: public reads, no login."""

from __future__ import annotations

import base64

from flask import render_template, send_file

from deliberation.opendata import store

from ..extensions import db
from . import bp
from .helpers import ensure, entry, listing


@bp.get("/open-data")
def index():
    items, totals = listing()
    return render_template("opendata/index.html", items=items, totals=totals)


@bp.get("/open-data/<int:consultation_id>")
def dataset(consultation_id: int):
    consultation = store.available(db.session, consultation_id)
    manifest, _path = ensure(consultation)
    return render_template(
        "opendata/dataset.html",
        consultation=consultation,
        item=entry(consultation, manifest),
        manifest=manifest,
    )


@bp.get("/open-data/<int:consultation_id>/download")
def download(consultation_id: int):
    consultation = store.available(db.session, consultation_id)
    manifest, path = ensure(consultation)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{manifest['dataset_id']}.zip",
        etag=manifest["zip"]["sha256"],
        conditional=True,
    )
    # RFC 3230 instance digest (base64 of the SHA-256 the page shows in hex)
    digest = base64.b64encode(bytes.fromhex(manifest["zip"]["sha256"])).decode()
    response.headers["Digest"] = f"sha-256={digest}"
    return response
