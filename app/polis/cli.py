"""flask --app wsgi consultations import-polis DIR | export-polis ID DIR."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from deliberation.services import polis_io

from ..extensions import db
from ..transaction import cli_unit, discard_changes


@click.command("import-polis")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--title", default=None, help="Title (default: the topic in summary.csv).")
@click.option(
    "--agency",
    "agency_code",
    default=None,
    help=f"Agency code (default {polis_io.IMPORT_AGENCY}, created if missing).",
)
@click.option("--slug", default=None, help="Conversation name (default: the folder name).")
@click.option(
    "--skip-unknown-votes",
    is_flag=True,
    help="Skip votes on comments missing from comments.csv instead of refusing the import.",
)
@cli_unit
def import_polis(
    directory: str,
    title: str | None,
    agency_code: str | None,
    slug: str | None,
    skip_unknown_votes: bool,
) -> None:
    """Import a Polis export folder as a closed consultation; prints the new consultation id."""
    started = time.perf_counter()
    data = polis_io.read_folder(directory, slug=slug, skip_unknown_votes=skip_unknown_votes)
    result = polis_io.import_polis(
        db.session, data, actor=None, title=title, agency_code=agency_code, operator=True
    )
    click.echo(result.consultation_id)
    click.echo(
        f"imported {result.comments} comments ({result.hidden} hidden, {result.pending} pending), "
        f"{result.participants} participants ({result.new_participants} new), "
        f"{result.votes} votes from {result.vote_rows} vote rows"
        + (f", {result.skipped_votes} skipped" if result.skipped_votes else "")
        + f" in {time.perf_counter() - started:.1f}s",
        err=True,
    )


@click.command("export-polis")
@with_appcontext
@click.argument("consultation_id", type=int)
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option(
    "--full-text",
    is_flag=True,
    help="Keep the text of hidden and pending comments (an operator's backup, not for sharing).",
)
@cli_unit
def export_polis(consultation_id: int, directory: str, full_text: bool) -> None:
    """Write comments.csv, votes.csv and participants-votes.csv of a consultation (hidden and
    pending comments with an empty body unless --full-text)."""
    export = polis_io.export_polis(
        db.session, consultation_id, actor=None, operator=True, full_text=full_text
    )
    paths = export.write(directory)
    discard_changes()  # read only
    for path in paths:
        click.echo(str(path))


def register(app: Flask) -> None:
    """Add the commands to the `consultations` group (shared with other areas' commands)."""
    group = app.cli.commands.get("consultations")
    if not isinstance(group, click.Group):
        group = AppGroup("consultations", help="Consultations: import and export.")
        app.cli.add_command(group)
    group.add_command(import_polis)
    group.add_command(export_polis)
