"""The 政策溝通成效 (outcome) section of a plan: the printable page, its exports (DOCX, Markdown,
HTML, JSON, CSV), its charts, the API and the `plans export-outcome` command (issue 6)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("outcome", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)
from .fonts import DEBIAN_PACKAGE, check  # noqa: E402


def init_app(app: Flask) -> None:
    """Register the blueprint; `plans export-outcome` joins the plans area's command group."""
    from . import cli, routes  # noqa: F401  (routes and the command register themselves)

    app.register_blueprint(bp)
    # Start-up check: a Chinese font for the charts, the font cache rebuilt if it came later.
    if not check().ok:
        app.logger.warning(
            "no font with Chinese glyphs for matplotlib: outcome charts will be refused; "
            "install %s (flask --app wsgi doctor)",
            DEBIAN_PACKAGE,
        )
