"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from tests.factories import general_thread, make_consultation, make_user

from .helpers import (
    Desk,
)


@pytest.fixture
def desk(session) -> Desk:
    staff = make_user("staff", name="承辦人")
    consultation = make_consultation(staff=staff)
    return Desk(staff=staff, consultation=consultation, thread=general_thread(consultation))
