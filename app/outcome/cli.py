"""flask --app wsgi plans export-outcome PLAN_ID --format docx|md|html|json|csv --out FILE"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from deliberation import outcome

from ..extensions import db
from ..plans.cli import plans_cli
from ..transaction import cli_unit, discard_changes
from .render import FORMATS, render


@plans_cli.command("export-outcome")
@click.argument("plan_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="docx", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--include-drafts",
    is_flag=True,
    help="Include unpublished responses, marked as drafts (default: published responses only).",
)
@click.option("--lang", type=click.Choice(outcome.LANGS), default="zh-TW", show_default=True)
@click.option(
    "--base-url",
    default=None,
    help="Site address for comment links (default: PUBLIC_BASE_URL, else relative paths).",
)
@cli_unit
def export_outcome(
    plan_id: int, fmt: str, out: Path, include_drafts: bool, lang: str, base_url: str | None
) -> None:
    """Write a plan's 政策溝通成效 section to FILE. Nothing is written on error."""
    base = (
        base_url if base_url is not None else current_app.config.get("PUBLIC_BASE_URL", "")
    ) or ""
    section = outcome.build_section(
        db.session,
        plan_id,
        actor=None,
        trusted=True,
        include_drafts=include_drafts,
        lang=lang,
        tz=current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Taipei"),
    )
    discard_changes()  # a read: nothing of this command is ever committed
    data = render(section, fmt, base_url=base.rstrip("/"))
    # Write next to the target and rename, so a failure never leaves half a file behind.
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    click.echo(f"wrote {out} ({len(data)} bytes, {fmt})")
