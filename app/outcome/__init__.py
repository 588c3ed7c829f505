"""The 政策溝通成效 (outcome) section of a plan: the printable page, its exports (DOCX, Markdown,
HTML, JSON, CSV), its charts, the API and the `plans export-outcome` command (issue 6)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("outcome", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)


def init_app(app: Flask) -> None:
    """Register the blueprint and attach `export-outcome` to the `plans` command group."""
    from . import routes  # noqa: F401  (the routes register themselves)
    from .cli import export_outcome

    app.register_blueprint(bp)
    try:
        from app.plans.cli import plans_cli
    except ImportError:  # the plans area is not installed: a group of our own
        from flask.cli import AppGroup

        plans_cli = AppGroup("plans", help="Plans and their outcome section.")
    if "export-outcome" not in plans_cli.commands:
        plans_cli.add_command(export_outcome)
    if "plans" not in app.cli.commands:
        app.cli.add_command(plans_cli)
