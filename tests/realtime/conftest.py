"""The socket fixtures live in tests/plugins/sockets.py (every test package uses them); these
names stay importable from here for test files written before the move."""

from __future__ import annotations

from tests.plugins.sockets import NS, isolated, sockets, thread_events  # noqa: F401
