"""Placeholder wiring; filled in by this area's work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's blueprints, CLI commands and hooks."""
