"""Polis-format import and export (issue 6): `flask consultations import-polis|export-polis` and
the same under /api/v1 (docs/polis.md)."""

from __future__ import annotations

from flask import Blueprint, Flask

api_bp = Blueprint("polis_api", __name__)

from . import api, messages  # noqa: E402, F401  (routes and words register themselves)


def init_app(app: Flask) -> None:
    """Register the API blueprint and the `consultations` CLI commands."""
    from .cli import register

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register(app)
