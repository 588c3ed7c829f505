"""flask --app wsgi focus-groups import-pool | quotas | draw | replay | purge | remind."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from deliberation.errors import NotFound, ValidationError
from deliberation.focus_groups import lottery, operations, queries, rules, sessions
from deliberation.models import Consultation, utcnow

from ..extensions import db
from ..transaction import cli_unit
from . import mail as group_mail

focus_groups = AppGroup(
    "focus-groups", help="The 政策提案座談會 lottery: pool, quotas, draw, replay."
)

DEFAULT_RETENTION_DAYS = 180


def _read(path: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text / 不是 UTF-8 文字檔") from None


def _group(consultation_id: int, *, create: bool = False):
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation_not_found")
    group = queries.group_of(db.session, consultation_id)
    if group is None and create:
        group = operations.configure(
            db.session,
            consultation,
            actor=None,
            operator=True,
            retain_until=utcnow() + timedelta(days=DEFAULT_RETENTION_DAYS),
        )
    if group is None:
        raise NotFound("focus_group_not_found")
    return group


@focus_groups.command("quotas")
@click.argument("consultation_id", type=int)
@click.argument("quotas_csv", type=click.Path(exists=True, dir_okay=False))
@cli_unit
def quotas(consultation_id: int, quotas_csv: str) -> None:
    """Set the categories and seats from QUOTAS.csv (category,feature,min,max)."""
    group = _group(consultation_id, create=True)
    parsed = rules.parse_quotas(_read(quotas_csv))
    operations.set_quotas(db.session, group, parsed, actor=None, operator=True)
    click.echo(f"{len(parsed)} quotas in {len(rules.categories_of(parsed))} categories")


@focus_groups.command("import-pool")
@click.argument("consultation_id", type=int)
@click.argument("pool_csv", type=click.Path(exists=True, dir_okay=False))
@cli_unit
def import_pool(consultation_id: int, pool_csv: str) -> None:
    """Add people recruited elsewhere from POOL.csv (id, then one column per category)."""
    group = _group(consultation_id)
    pool = rules.parse_pool(_read(pool_csv), queries.quotas_of(group))
    count = operations.import_pool(db.session, group, pool, actor=None, operator=True)
    click.echo(f"{count} volunteers imported")


@focus_groups.command("draw")
@click.argument("consultation_id", type=int)
@click.option("--size", type=int, default=None, help="Panel size (default: the group's, 12).")
@click.option("--seed", type=int, required=True, help="The published random seed (1 or more).")
@click.option(
    "--algorithm", type=click.Choice(lottery.ALGORITHMS), default=lottery.DEFAULT_ALGORITHM
)
@click.option("--audit", "audit_path", type=click.Path(dir_okay=False), default=None)
@cli_unit
def draw(
    consultation_id: int, size: int | None, seed: int, algorithm: str, audit_path: str | None
) -> None:
    """Draw the panel; print the selected ids, one a line; write the audit record."""
    group = _group(consultation_id)
    row = operations.draw(
        db.session, group, actor=None, operator=True, seed=seed, size=size, algorithm=algorithm
    )
    if audit_path:
        Path(audit_path).write_text(
            json.dumps(row.record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    for pid in row.record["panel"]:
        click.echo(pid)


@focus_groups.command("replay")
@click.argument("audit_json", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--pool",
    "pool_csv",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Replay from this POOL.csv instead of the consultation's pool in the database.",
)
@cli_unit
def replay(audit_json: str, pool_csv: str | None) -> None:
    """Draw again from AUDIT.json and the pool: print the same ids, or say what differs."""
    try:
        record = json.loads(_read(audit_json))
        quota_list = [lottery.Quota(**q) for q in record["quotas"]]
        int(record["seed"]), int(record["size"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError("focus_audit_invalid") from None
    if pool_csv:
        pool = rules.parse_pool(_read(pool_csv), quota_list)
    else:
        pool = queries.pool_of(db.session, _group(int(record["consultation_id"])))
    panel, differences = lottery.replay(record, pool)
    for pid in panel:
        click.echo(pid)
    if differences:
        for line in differences:
            click.echo(f"DIFFERS {line}", err=True)
        raise click.exceptions.Exit(1)
    click.echo("same panel as the audit record / 與稽核紀錄相同", err=True)


@focus_groups.command("purge")
@cli_unit
def purge() -> None:
    """Erase the attributes of every focus group whose retention date has passed."""
    erased = operations.purge_expired(db.session)
    click.echo(f"{erased} volunteers' attributes erased")


@focus_groups.command("remind")
@cli_unit
def remind() -> None:
    """Mail the reminder of every session starting within 48 hours whose panel was invited
    (schedule it hourly or daily); each session is reminded once."""
    due = sessions.due_reminders(db.session)
    with current_app.test_request_context(base_url=group_mail.base_url()):
        for fs in due:
            group = queries.require_group_by_id(db.session, fs.focus_group_id)
            sent, missing = group_mail.send_session_mail(db.session, group, fs, "remind")
            click.echo(f"session {fs.id}: reminder to {sent} members ({missing} without address)")
    click.echo(f"{len(due)} sessions reminded")
