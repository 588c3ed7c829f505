"""The background job: execute one analysis run in the job's own session."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

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
    """The job submitted by the pages, the API, the CLI and closing a consultation."""
    execute(session, run_id)
