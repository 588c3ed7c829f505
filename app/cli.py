"""flask --app wsgi users create|token, demo load."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from deliberation.models import Role, User
from deliberation.services import accounts

from .demo import load
from .doctor import doctor
from .extensions import db
from .transaction import cli_unit

users = AppGroup("users", help="Manage accounts.")
demo = AppGroup("demo", help="The Traditional Chinese demo consultation.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CITIZEN.value)
@click.option(
    "--agency", "agency_code", default=None, help="Agency code (created if new); staff only."
)
@click.option("--agency-name", default=None, help="Full name for a new agency.")
@cli_unit
def create_user(
    email: str,
    password: str,
    name: str,
    role: str,
    agency_code: str | None,
    agency_name: str | None,
) -> None:
    """Create an account."""
    agency = (
        accounts.get_or_create_agency(db.session, agency_code, agency_name) if agency_code else None
    )
    user = accounts.create_user(
        db.session, email=email, display_name=name, password=password, role=role, agency=agency
    )
    click.echo(f"created user {user.id} <{user.email}> role={user.role}")


@users.command("token")
@click.option("--email", required=True)
@cli_unit
def token(email: str) -> None:
    """Print a new personal access token for the API (the previous one stops working)."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    value = accounts.issue_token(db.session, user)
    click.echo(value)


@demo.command("load")
@click.option("--force", is_flag=True, help="Load even if the demo is already there.")
@cli_unit
def load_demo(force: bool) -> None:
    """Load the demo: the NDC governance draft, accounts of every role, a living discussion.

    Its second consultation is closed through the service, so its analysis starts after the
    commit, as it would for any consultation closed on the site."""
    created = load(db.session, force=force)
    click.echo("demo loaded" if created else "demo already present (use --force to add again)")


def register_cli(app: Flask) -> None:
    app.cli.add_command(doctor)  # flask --app wsgi doctor: what this server is missing
    app.cli.add_command(users)
    app.cli.add_command(demo)
