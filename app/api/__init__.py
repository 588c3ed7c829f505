"""The JSON API under /api/v1: consultations, threads, comments, votes, events."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__)

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register this area's blueprint."""
    app.register_blueprint(bp, url_prefix="/api/v1")
