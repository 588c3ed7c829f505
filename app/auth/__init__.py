"""Accounts: register, log in, log out."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register this area's blueprint."""
    app.register_blueprint(bp)
