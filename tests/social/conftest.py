"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from tests.factories import general_thread, make_consultation, make_user

from .helpers import (  # noqa: F401  (names test files imported from here before helpers.py)
    BAD_LINES,
    EN,
    GOOD_AND_BAD_CSV,
    GOOD_LINES,
    Desk,
)


@pytest.fixture
def desk(session) -> Desk:
    staff = make_user("staff", name="承辦人")
    consultation = make_consultation(staff=staff)
    return Desk(staff=staff, consultation=consultation, thread=general_thread(consultation))
