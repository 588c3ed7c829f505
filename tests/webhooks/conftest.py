"""Fixtures of the webhook tests; helpers are in helpers.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from .helpers import QuietServer, Receiver, handler


@pytest.fixture
def receiver(app, monkeypatch) -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1, allowed for webhooks like the link tests' fake site."""
    found = Receiver()
    server = QuietServer(("127.0.0.1", 0), handler(found))
    found.port = server.server_address[1]
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HOSTS", frozenset({("127.0.0.1", found.port)}))
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 3.0)
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
