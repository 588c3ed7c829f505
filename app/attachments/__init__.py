"""Attachments of a consultation, web side: upload and remove (staff), the list on the
consultation page, downloads with Content-Disposition and nosniff, the JSON API.

Settings (environment): ATTACHMENTS_DIR (default instance/attachments), ATTACHMENT_MAX_BYTES
(default 20 MB), ATTACHMENT_SCAN_COMMAND (e.g. "clamdscan --no-summary -": the file is given
on stdin; a non-zero exit refuses it)."""

from __future__ import annotations

import os

from flask import Blueprint, Flask

from config import INSTANCE_DIR
from deliberation.attachments.queries import attachments_of

from ..extensions import db

bp = Blueprint("attachments", __name__)
api_bp = Blueprint("attachments_api", __name__)

from . import api, messages, routes  # noqa: E402, F401  (the routes register themselves)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def init_app(app: Flask) -> None:
    """Register the blueprints, read the settings, give templates the list."""
    app.config.setdefault(
        "ATTACHMENTS_DIR", os.environ.get("ATTACHMENTS_DIR") or str(INSTANCE_DIR / "attachments")
    )
    app.config.setdefault(
        "ATTACHMENT_MAX_BYTES", int(os.environ.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    )
    app.config.setdefault("ATTACHMENT_SCAN_COMMAND", os.environ.get("ATTACHMENT_SCAN_COMMAND", ""))
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.jinja_env.globals["attachments_of"] = lambda cid: attachments_of(db.session, cid)
