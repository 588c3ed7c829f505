"""Fixtures for the trust tests: two-factor sign-in switched back on (TestingConfig turns the
requirement off so the rest of the suite logs privileged users in with a password alone) and a
frozen TOTP clock; the log-in helpers are in helpers.py."""

from __future__ import annotations

import pytest

from deliberation.trust import two_factor

from .helpers import NOW


@pytest.fixture
def two_factor_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    return True


@pytest.fixture
def frozen_clock(monkeypatch):
    """TOTP checks see NOW; helpers.code(secret, k) is the code of the k-th step after NOW's."""
    monkeypatch.setattr(two_factor, "utcnow", lambda: NOW)
    return NOW
