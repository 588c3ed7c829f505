"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def runner(app, session):
    return app.test_cli_runner()
