"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mailbox import Mailbox, smtp_server


@pytest.fixture
def loopback_mail(app) -> Iterator[Mailbox]:
    """Mail of the test app goes to a real SMTP server on loopback (the outbox runs jobs inline).

    Not named `mailbox`: that is the live server's (tests/plugins/browser.py), which the
    browser test here uses."""
    with smtp_server() as box:
        saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port)
        try:
            yield box
        finally:
            app.config.update(saved)
