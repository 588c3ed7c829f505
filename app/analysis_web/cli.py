"""flask --app wsgi analysis run CONSULTATION_ID [--wait]."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.models import AnalysisStatus, Consultation, utcnow
from deliberation.outbox import after_commit
from deliberation.services import analysis_runs, consultations

from ..extensions import db
from ..transaction import cli_unit, commit
from . import RUN
from .jobs import execute

analysis_cli = AppGroup("analysis", help="Analysis runs of consultations.")


@analysis_cli.command("run")
@click.argument("consultation_id", type=int)
@click.option("--wait", is_flag=True, help="Run here and now, and print a one-line summary.")
@cli_unit
def run_command(consultation_id: int, wait: bool) -> None:
    """Start an analysis run; prints the run id."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"consultation {consultation_id} does not exist")
    run, created = analysis_runs.start_run(db.session, consultation, actor=None, system=True)
    if created and not wait:
        after_commit(db.session, RUN, run.id)
    commit()
    click.echo(run.id)
    if wait:
        if not created:
            raise click.ClickException(f"run {run.id} is already {run.status}; not waiting on it")
        execute(db.session, run.id)
        commit()
        click.echo(analysis_runs.run_summary(run))
        if run.status != AnalysisStatus.DONE.value:
            raise SystemExit(1)


@analysis_cli.command("run-due")
@click.option("--wait", is_flag=True, help="Run each here and now, one after the other.")
@cli_unit
def run_due_command(wait: bool) -> None:
    """Close the open consultations whose closing time has passed (as closing by hand does:
    followers' notice, the consultation.closed webhook), then analyse every consultation whose
    comment period is over and whose latest analysis is missing or stale; prints one run id per
    line. For a timer (cron, systemd)."""
    now = utcnow()
    closed = [c.id for c in consultations.close_due(db.session, now)]
    commit()  # closing queues their analysis, as closing by hand does
    for consultation_id in closed:
        run = analysis_runs.newest_run(db.session, consultation_id)
        if run is not None:
            click.echo(run.id)
    for consultation in analysis_runs.due_for_analysis(db.session, now):
        run, created = analysis_runs.start_run(db.session, consultation, actor=None, system=True)
        if created and not wait:
            after_commit(db.session, RUN, run.id)
        commit()
        click.echo(run.id)
        if created and wait:
            execute(db.session, run.id)
            commit()
