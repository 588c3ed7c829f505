"""`flask notifications …`: the scheduled work of notifications (run from cron or a timer)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import click
from flask import Flask, current_app
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
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    people = mails = 0
    # One sender thread: a batch's mail goes out (SMTP round trips, or .eml files) while the
    # next batch is claimed from the database, instead of one after the other.
    with ThreadPoolExecutor(max_workers=1) as sender:
        sending: Future[int] | None = None
        for batch in mailing.claim_digests(db.session):
            messages = compose_digests(batch)
            commit()  # claimed first: a crash after this sends less, never twice
            if sending is not None:
                mails += sending.result()
            sending = sender.submit(_deliver, app, messages)
            people += len(batch)
        if sending is not None:
            mails += sending.result()
    click.echo(f"digests: {people}, sent: {mails}")


def _deliver(app: Flask, messages: list[dict[str, Any]]) -> int:
    with app.app_context():
        return deliver(messages)
