"""`flask notifications …`: the scheduled work of notifications (run from cron or a timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.notifications import mailing, operations

from ..extensions import db
from ..transaction import cli_unit, commit
from .mail import compose_digests, deliver

group = AppGroup("notifications", help="Notifications: scheduled reminders and e-mail digests.")


@group.command("remind-closing")
@cli_unit
def remind_closing() -> None:
    """Tell followers of consultations closing within 3 days (once each; safe to rerun)."""
    told = operations.remind_closing(db.session)
    click.echo(f"closing-soon notifications: {told}")


@group.command("send-digests")
@cli_unit
def send_digests() -> None:
    """Send the daily and weekly digests that are due (one mail per person per period; running
    it again in the same period sends nothing). Each batch is committed, then sent."""
    people = mails = 0
    for batch in mailing.claim_digests(db.session):
        messages = compose_digests(batch)
        commit()  # claimed first: a crash after this sends less, never twice
        mails += deliver(messages)
        people += len(batch)
    click.echo(f"digests: {people}, sent: {mails}")
