"""The background job: execute one analysis run in the job's own session."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from deliberation.models import Consultation, ConsultationStatus
from deliberation.outbox import after_commit
from deliberation.services import analysis_runs


def execute(session: Session, run_id: int) -> None:
    """Execute run `run_id` with the configured parameters, committing after each stage so the
    workspace can show progress (ANALYSIS_THEME_PARAMS: ThemeModel overrides, e.g. n_themes)."""
    analysis_runs.execute_run(
        session,
        run_id,
        progress=lambda _run: session.commit(),
        theme_params=current_app.config.get("ANALYSIS_THEME_PARAMS") or None,
        min_comments=current_app.config.get("ANALYSIS_MIN_COMMENTS", analysis_runs.MIN_COMMENTS),
    )


def run_analysis(session: Session, run_id: int) -> None:
    """The "analysis.run" follow-up: declared by the pages, the API, the CLI and closing."""
    execute(session, run_id)


def run_on_close(session: Session, consultation_id: int) -> None:
    """The follow-up of closing a consultation: queue its analysis (then run it, after commit).

    Declared by `consultations.set_status`, so every way of closing one (pages, API, CLI, the
    demo loader) starts the analysis; a failure here never undoes the closing.
    """
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.status != ConsultationStatus.CLOSED.value:
        return
    run, created = analysis_runs.start_run(session, consultation, actor=None, system=True)
    if created:
        after_commit(session, "analysis.run", run.id)
