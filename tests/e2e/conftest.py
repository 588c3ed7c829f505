"""The browser fixtures live in tests/plugins/browser.py (every test package uses them); these
names stay importable from here for test files written before the move."""

from __future__ import annotations

from tests.plugins.browser import (  # noqa: F401
    CHROMIUM_ARGS,
    browser,
    chromium_path,
    live_server,
    threaded_live_server,
)
