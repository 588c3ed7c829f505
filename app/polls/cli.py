"""flask --app wsgi polls purge."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from deliberation.polls import operations

from ..extensions import db
from ..transaction import cli_unit

polls = AppGroup("polls", help="Quick polls (民調): erase background answers after retention.")


@polls.command("purge")
@cli_unit
def purge() -> None:
    """Erase the background answers of every poll whose retention date has passed."""
    erased = operations.purge_expired(db.session)
    click.echo(f"{erased} responses' background answers erased")
