"""Open data (issue 19): the /open-data pages, the ZIP downloads and /api/v1/open-data."""

from __future__ import annotations

from flask import Blueprint, Flask

from deliberation.opendata.refresh import REFRESH

from .. import outbox

bp = Blueprint("opendata", __name__)
api_bp = Blueprint("opendata_api", __name__)

from . import api, messages, routes  # noqa: E402, F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register this area's blueprints."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    outbox.register(app, REFRESH, "app.opendata.jobs:refresh")
