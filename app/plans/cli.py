"""flask --app wsgi plans create (the outcome area attaches `export-outcome` to this group)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.services import plans

from ..extensions import db
from ..transaction import cli_unit

plans_cli = AppGroup("plans", help="Plans (中長程個案計畫) and their outcome section.")


@plans_cli.command("create")
@click.option("--title", required=True)
@click.option("--agency", "agency_code", required=True, help="Lead agency code (主責機關).")
@click.option(
    "--consultation",
    "consultation_ids",
    type=int,
    multiple=True,
    help="Linked consultation id (repeatable).",
)
@click.option("--co-agency", "co_agencies", multiple=True, help="Co-agency code (repeatable).")
@click.option("--summary", default="")
@cli_unit
def create_plan(
    title: str,
    agency_code: str,
    consultation_ids: tuple[int, ...],
    co_agencies: tuple[str, ...],
    summary: str,
) -> None:
    """Create a draft plan and print its id."""
    lead = plans.agency_by_code(db.session, agency_code)
    plan = plans.create_plan(
        db.session,
        actor=None,
        trusted=True,
        title=title,
        lead_agency=lead,
        summary=summary,
        consultation_ids=list(consultation_ids),
        co_agency_codes=list(co_agencies),
    )
    click.echo(plan.id)
