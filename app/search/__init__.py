"""Search, web side: the results page (/search?q=), GET /api/v1/search and `flask search
reindex`. The search box (input `q`) is in the header and on the consultations list."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("search", __name__)
api_bp = Blueprint("search_api", __name__)

from . import api, cli, messages, routes  # noqa: E402, F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register the blueprints and the CLI group."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.cli.add_command(cli.group)
