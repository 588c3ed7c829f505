"""Accounts tests: the app's mail goes to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from tests.mailbox import Mailbox, smtp_server


@pytest.fixture
def mailbox(app) -> Iterator[Mailbox]:
    with smtp_server() as box:
        saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port)
        try:
            yield box
        finally:
            app.config.update(saved)


@pytest.fixture
def limited(empty_database_url) -> Iterator[SimpleNamespace]:
    """An app of its own with Flask-Limiter on (the shared test app has it off: the limiter is
    one object, so it is switched off again afterwards), its own database, mail to loopback."""
    with smtp_server() as box:
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=empty_database_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=box.port,
        )
        with app.app_context():
            db.create_all()
        try:
            yield SimpleNamespace(app=app, client=app.test_client(), mailbox=box)
        finally:
            limiter.reset()
            limiter.enabled = False
            with app.app_context():
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
