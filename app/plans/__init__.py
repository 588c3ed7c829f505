"""Plans (中長程個案計畫), theme responses, publishing and the reviewer's checklist (issue 6):
pages, the JSON API under /api/v1, the public "what you said, what we did" partial and the
`plans` CLI group."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("plans", __name__)
api_bp = Blueprint("plans_api", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)


def init_app(app: Flask) -> None:
    """Register this area's blueprints, CLI commands and hooks."""
    from . import api, routes  # noqa: F401  (the routes register themselves)
    from .cli import plans_cli
    from .views import register_template_helpers

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_template_helpers(app)
    if "plans" not in app.cli.commands:
        app.cli.add_command(plans_cli)
