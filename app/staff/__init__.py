"""Staff pages under /staff: creating and editing consultations, changing their status."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register this area's blueprint."""
    app.register_blueprint(bp)
