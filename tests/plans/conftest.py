"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from .helpers import World, make_world


@pytest.fixture
def world(session) -> World:
    return make_world()
