"""flask --app wsgi plans create (the outcome area attaches `export-outcome` to this group)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.errors import DomainError
from deliberation.services import plans

from ..errors import message_for
from ..extensions import db

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
def create_plan(
    title: str,
    agency_code: str,
    consultation_ids: tuple[int, ...],
    co_agencies: tuple[str, ...],
    summary: str,
) -> None:
    """Create a draft plan and print its id."""
    try:
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
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(message_for(error.code, **error.params)) from None
    click.echo(plan.id)
