"""Focus groups (政策提案座談會, issue 18): the staff's setup and draw pages, the volunteer page,
the page explaining the lottery, the API and the `focus-groups` CLI."""

from __future__ import annotations

from flask import Blueprint, Flask

import deliberation.focus_groups.models  # noqa: F401  (the tables join the metadata)

bp = Blueprint("focus_groups", __name__)
api_bp = Blueprint("focus_groups_api", __name__)

from . import api, cli, messages, routes, session_routes  # noqa: E402,F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register this area's blueprints and its CLI group."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.cli.add_command(cli.focus_groups)
    # The consultation page links to the volunteer page when the consultation has a group.
    app.jinja_env.globals["focus_group_of"] = routes.focus_group_of
