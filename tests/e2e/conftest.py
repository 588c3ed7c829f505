"""A live server on 127.0.0.1 with its own database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.mailbox import Mailbox, smtp_server

from .livesite import demo_site

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


# The loopback SMTP server of each running live server, by its URL: `live_server` is imported
# by name into other areas' browser tests, so it cannot depend on another fixture of this file.
_MAILBOXES: dict[str, Mailbox] = {}


@pytest.fixture
def live_server(empty_database_url) -> Iterator[str]:
    """The demo on a live server; its mail (verification, reset) goes to a real SMTP server on
    loopback, read through the `mailbox` fixture."""
    with (
        smtp_server() as box,
        demo_site(empty_database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port) as url,
    ):
        _MAILBOXES[url] = box
        try:
            yield url
        finally:
            _MAILBOXES.pop(url, None)


@pytest.fixture
def mailbox(live_server) -> Mailbox:
    """What the live server has mailed."""
    return _MAILBOXES[live_server]


@pytest.fixture
def threaded_live_server(empty_database_url) -> Iterator[str]:
    """The demo on a live server whose jobs run in a background thread, as in `make run`."""
    with demo_site(empty_database_url, JOBS_BACKEND="thread") as url:
        yield url
