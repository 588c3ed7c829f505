"""Trust in accounts (issue 13, issue 17 item 10): two-factor sign-in, server-side sessions,
reserved display names, the 「官方」 badge, and the admin's account pages with their audit log."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("trust", __name__)
admin_bp = Blueprint("trust_admin", __name__)
api_bp = Blueprint("trust_api", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)


def init_app(app: Flask) -> None:
    """Register this area's blueprints and template helpers."""
    from deliberation.trust.rules import official_of

    from . import admin, api, routes  # noqa: F401  (the routes register themselves)

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.jinja_env.globals["official_of"] = official_of
