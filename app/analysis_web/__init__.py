"""Analysis in the app: runs outside the request (app/jobs.py), the staff theme workspace, the
JSON API under /api/v1 and `flask analysis run`."""

from __future__ import annotations

from flask import Blueprint, Flask

from .. import outbox
from . import messages  # noqa: F401  (registers this area's error words)

bp = Blueprint("analysis_web", __name__)
api_bp = Blueprint("analysis_api", __name__)

RUN = "analysis.run"  # follow-up: execute a queued run (declared by whoever queues one)
ON_CLOSE = "analysis.run_on_close"  # follow-up declared by consultations.set_status


def init_app(app: Flask) -> None:
    """Register this area's blueprints, CLI commands and hooks."""
    from . import api, routes  # noqa: F401  (the routes register themselves on the blueprints)
    from .cli import analysis_cli

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.cli.add_command(analysis_cli)
    outbox.register(app, RUN, "app.analysis_web.jobs:run_analysis")
    outbox.register(app, ON_CLOSE, "app.analysis_web.jobs:run_on_close")
