"""`flask notifications …`: the scheduled work of notifications (run from cron or a timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.notifications import operations

from ..extensions import db
from ..transaction import cli_unit

group = AppGroup("notifications", help="Notifications: scheduled reminders.")


@group.command("remind-closing")
@cli_unit
def remind_closing() -> None:
    """Tell followers of consultations closing within 3 days (once each; safe to rerun)."""
    told = operations.remind_closing(db.session)
    click.echo(f"closing-soon notifications: {told}")
