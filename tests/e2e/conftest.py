"""A live server on 127.0.0.1 with its own database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser() -> Iterator:
    path = chromium_path()
    if path is None:
        if os.environ.get("ZHONGYI_REQUIRE_SERVICES"):
            pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def live_server(empty_database_url) -> Iterator[str]:
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=empty_database_url,
        WTF_CSRF_ENABLED=True,
        PUBLIC_STATE_AUTOCOMMIT=True,
    )
    with app.app_context():
        db.create_all()
        from app.demo import load

        load(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
