"""The 政策溝通成效 (outcome) section of a plan: the printable page, its exports (DOCX, Markdown,
HTML, JSON, CSV), its charts, the API and the `plans export-outcome` command (issue 6)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("outcome", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)


def init_app(app: Flask) -> None:
    """Register the blueprint; `plans export-outcome` joins the plans area's command group."""
    from . import cli, routes  # noqa: F401  (routes and the command register themselves)

    app.register_blueprint(bp)
