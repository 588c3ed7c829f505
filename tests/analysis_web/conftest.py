"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from tests.factories import general_thread, make_consultation, make_user

from .helpers import (  # noqa: F401  (names test files imported from here before helpers.py)
    SYNTHETIC,
    _tokens,
    analyse,
    fill,
    synthetic,
)


@pytest.fixture(autouse=True)
def quick_themes(app, monkeypatch):
    """Six themes, no k selection: the selection is the slow part and is tested in analysis/."""
    monkeypatch.setitem(app.config, "ANALYSIS_THEME_PARAMS", {"n_themes": 6})


@pytest.fixture
def staff(app):
    return make_user("staff")


@pytest.fixture
def filled(session, staff):
    """A consultation of `staff`'s agency with 120 synthetic comments and votes."""
    consultation = make_consultation(staff=staff)
    ids = fill(general_thread(consultation))
    return consultation, ids
