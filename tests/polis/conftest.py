"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from .helpers import (  # noqa: F401  (names test files imported from here before helpers.py)
    LONDON,
    OPENDATA,
    SEATTLE,
    TABLES,
    Expected,
    _pid,
    copy_folder,
    expected,
    import_cli,
    imported_state,
    row_counts,
)


@pytest.fixture
def runner(app, session):
    return app.test_cli_runner()
