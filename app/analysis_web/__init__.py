"""Analysis in the app: runs outside the request (app/jobs.py), the staff theme workspace, the
JSON API under /api/v1 and `flask analysis run`."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask

from . import messages  # noqa: F401  (registers this area's error words)

bp = Blueprint("analysis_web", __name__)
api_bp = Blueprint("analysis_api", __name__)

JOB = "app.analysis_web.jobs:run_analysis"
log = logging.getLogger(__name__)


def submit_run(run_id: int) -> None:
    """Hand a committed queued run to the job backend."""
    from ..jobs import submit

    submit(JOB, run_id)


def run_on_close(consultation_id: int) -> None:
    """Called after a status change was committed: a closed consultation gets analysed.

    Never fails the status change: a problem here is logged and the run can be started by hand.
    """
    from deliberation.models import Consultation, ConsultationStatus
    from deliberation.services import analysis_runs

    from ..extensions import db

    try:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is None or consultation.status != ConsultationStatus.CLOSED.value:
            return
        run, created = analysis_runs.start_run(db.session, consultation, actor=None, system=True)
        db.session.commit()
        if created:
            submit_run(run.id)
    except Exception:
        db.session.rollback()
        log.exception("could not start the analysis of consultation %s on close", consultation_id)


def init_app(app: Flask) -> None:
    """Register this area's blueprints, CLI commands and hooks."""
    from . import api, routes  # noqa: F401  (the routes register themselves on the blueprints)
    from .cli import analysis_cli

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.cli.add_command(analysis_cli)
