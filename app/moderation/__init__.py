"""Moderation in the open: the queue and actions (moderators), flags and appeals (everyone
logged in), the rules and transparency pages (the public), and the JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("moderation", __name__, static_folder="static", static_url_path="/moderation/static")
api_bp = Blueprint("moderation_api", __name__)

from . import api, routes  # noqa: E402, F401  (the routes register themselves on the blueprints)


def init_app(app: Flask) -> None:
    """Register the queue, actions, rules and transparency pages and the /api/v1 routes."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
