"""Fixtures for the open-data tests: a closed consultation with visible, held, hidden,
imported and deleted-account comments, votes, an analysis run, a published and a draft
response, and a plan; datasets kept in a temporary folder."""

from __future__ import annotations

import pytest

from .helpers import Scene, make_scene


@pytest.fixture(autouse=True)
def open_data_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_DIR", str(tmp_path / "open-data"))
    return tmp_path / "open-data"


@pytest.fixture
def scene(session) -> Scene:
    return make_scene()
