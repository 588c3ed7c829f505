"""Browser fixtures for every test package: one Debian Chromium per session (Playwright), a fresh
context per test, and live sites on 127.0.0.1 whose databases are copies of a template filled
once per session (the demo, or the small cast of tests/e2e/livesite.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.databases import Templates
from tests.e2e.livesite import LiveSite, demo_site, fill_cast, fill_demo, live_site
from tests.mailbox import Mailbox, smtp_server

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


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Debian's Chromium, launched once for the session."""
    path = chromium_path()
    if path is None:
        if os.environ.get("ZHONGYI_REQUIRE_SERVICES"):
            pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class TestBrowser:
    """The session's browser as one test sees it: every context (and page) it opens is its own
    and closed after the test, so no cookie, storage or open socket reaches the next test."""

    __test__ = False  # not a test class

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self._contexts: list[Any] = []

    def new_context(self, **kwargs: Any) -> Any:
        context = self._browser.new_context(**kwargs)
        self._contexts.append(context)
        return context

    def new_page(self, **kwargs: Any) -> Any:
        return self.new_context(**kwargs).new_page()

    def close(self) -> None:
        for context in self._contexts:
            with contextlib.suppress(Exception):  # a context the test closed itself
                context.close()
        self._contexts.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium) -> Iterator[TestBrowser]:
    """The session's Chromium; contexts opened through it are closed after the test."""
    view = TestBrowser(chromium)
    try:
        yield view
    finally:
        view.close()


@pytest.fixture
def demo_database_url(database_templates: Templates) -> Iterator[str]:
    """A database holding the demo (a copy of one filled once per session)."""
    with database_templates.copy("demo", fill_demo) as url:
        yield url


# The loopback SMTP server of each running live server, by its URL (read through `mailbox`).
_MAILBOXES: dict[str, Mailbox] = {}


@pytest.fixture
def live_server(demo_database_url) -> Iterator[str]:
    """The demo on a live server (jobs run inline); its mail (verification, reset) goes to a
    real SMTP server on loopback, read through the `mailbox` fixture."""
    with (
        smtp_server() as box,
        demo_site(demo_database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port) as url,
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
def threaded_live_server(demo_database_url) -> Iterator[str]:
    """The demo on a live server whose jobs run in a background thread, as in `make run`."""
    with demo_site(demo_database_url, JOBS_BACKEND="thread") as url:
        yield url


@pytest.fixture
def cast_site(database_templates: Templates) -> Callable[..., contextlib.AbstractContextManager]:
    """cast_site(**config): a live site (tests/e2e/livesite.py) with its small cast of people,
    on a copy of a database seeded once per session."""

    @contextlib.contextmanager
    def open_site(**config: Any) -> Iterator[LiveSite]:
        with (
            database_templates.copy("cast", fill_cast) as url,
            live_site(url, seeded=database_templates.data["cast"], **config) as site,
        ):
            yield site

    return open_site
