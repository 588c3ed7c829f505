"""`flask webhooks …`: the scheduled work of webhooks (cron, every minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..transaction import cli_unit
from .jobs import retry_due

group = AppGroup("webhooks", help="Webhooks: send the deliveries that are due.")


@group.command("retry-due")
@cli_unit
def retry_due_command() -> None:
    """Send every delivery that is due (retries after their backoff, first tries whose job was
    lost). Safe to run often and concurrently: each attempt is claimed first."""
    tried, sent = retry_due(db.session)
    click.echo(f"webhook deliveries attempted: {tried}, delivered: {sent}")
