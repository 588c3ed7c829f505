"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import pytest

from tests.factories import (
    general_thread,
    make_comment,
    make_consultation,
    make_user,
)

from .helpers import (
    Scene,
)


@pytest.fixture
def scene(session) -> Scene:
    consultation = make_consultation()
    thread = general_thread(consultation)
    author = make_user(name="作者")
    comment = make_comment(thread, author, body="這個條文需要再討論")
    return Scene(
        consultation=consultation,
        thread=thread,
        author=author,
        comment=comment,
        moderator=make_user("moderator", name="管理員甲"),
        admin=make_user("admin", name="系統管理員"),
    )
