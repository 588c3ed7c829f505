"""`flask search reindex`: write the search tokens of every consultation and section (after
migration 0011, or after changing the tokenizer's dictionaries)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from deliberation.models import Consultation
from deliberation.services.consultations import set_search_tokens

from ..extensions import db
from ..transaction import cli_unit

group = AppGroup("search", help="Search: the stored tokens.")


@group.command("reindex")
@cli_unit
def reindex() -> None:
    """Tokenize every consultation and its sections again."""
    count = 0
    for consultation in db.session.scalars(select(Consultation)):
        set_search_tokens(db.session, consultation)
        count += 1
    click.echo(f"consultations indexed: {count}")
