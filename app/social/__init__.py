"""Social media, outward and inward (issue 7): imports of posts gathered elsewhere with their
provenance, share links and Open Graph cards, the embeddable widget, and participation and
stickiness figures for staff."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("social", __name__)
api_bp = Blueprint("social_api", __name__)

from . import api, messages, routes  # noqa: E402, F401  (the routes register themselves)
from .helpers import register_template_helpers  # noqa: E402


def init_app(app: Flask) -> None:
    """Register this area's blueprints and template helpers."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_template_helpers(app)
