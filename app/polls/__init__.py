"""Quick polls (民調, issue 18): the staff's poll builder and margins, the answer page, the
results (raw and weighted) with the representativeness picture, the API and the `polls` CLI."""

from __future__ import annotations

from flask import Blueprint, Flask

import deliberation.polls.models  # noqa: F401  (the tables join the metadata)

bp = Blueprint("polls", __name__)
api_bp = Blueprint("polls_api", __name__)

from . import api, cli, messages, routes, views  # noqa: E402,F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register this area's blueprints, its template helper and its CLI group."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.jinja_env.globals["poll_card"] = views.poll_card
    app.cli.add_command(cli.polls)
