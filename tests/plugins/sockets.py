"""Socket.IO test clients bound to the test app's own server (the `sockets` fixture, for every
test package), and helpers to read what they received."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator

import pytest
from flask.globals import _cv_app

from app.extensions import socketio

NS = "/threads"


@pytest.fixture
def sockets(app, client, monkeypatch) -> Iterator[Callable]:
    """connect(flask_client=client, **kw) -> a connected SocketIOTestClient on /threads.

    Every create_app rebinds the one SocketIO object to a new server; point it back at the
    server of the app under test for the duration of the test. Viewer counts are announced
    without delay (no background task outliving the test) unless a test asks otherwise.
    """
    monkeypatch.setitem(app.config, "REALTIME_VIEWERS_INTERVAL", 0)
    namespace = app.extensions["zhongyi_realtime_namespace"]
    namespace._announced.clear()
    namespace._scheduled.clear()
    original = socketio.server
    socketio.server = app.extensions["zhongyi_realtime"]
    made = []

    def connect(flask_client=None, **kwargs):  # type: ignore[no-untyped-def]
        c = isolated(socketio.test_client)(
            app, namespace=NS, flask_test_client=flask_client or client, **kwargs
        )
        c.emit = isolated(c.emit)
        c.disconnect = isolated(c.disconnect)
        made.append(c)
        return c

    try:
        yield connect
    finally:
        for c in made:
            if c.is_connected(NS):
                c.disconnect(namespace=NS)
        socketio.server = original


def isolated(fn: Callable) -> Callable:
    """Run fn in its own app context, as a real socket event would (not the test's: Flask-Login
    caches the user in `g`, and the test body holds an app context open for the factories)."""

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        def inner():  # type: ignore[no-untyped-def]
            _cv_app.set(None)
            return fn(*args, **kwargs)

        return contextvars.copy_context().run(inner)

    return run


def thread_events(sock) -> list[dict]:  # type: ignore[no-untyped-def]
    """The thread_event payloads this client received since the last call."""
    return [m["args"][0] for m in sock.get_received(NS) if m["name"] == "thread_event"]
