"""Real-time threads: the /threads Socket.IO namespace and the emit-after-commit hooks (payloads
built before the commit, sent by the outbox's inline "realtime.broadcast" handler after it).

See docs/api.md ("Real-time") for the contract and docs/deploy.md for serving it on many
processes. Delivery over the socket is at most once; completeness comes from the client's
gap resync through GET /api/v1/threads/<id>/events.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .. import outbox
from ..extensions import socketio
from . import broadcast
from .namespace import ThreadsNamespace, origin_allowed
from .viewers import LocalViewers, RedisViewers

MAX_MESSAGE_BYTES = 64 * 1024  # Engine.IO refuses larger messages before any handler runs


def allowed_origins(value: object) -> list[str] | None:
    """SOCKETIO_CORS_ORIGINS as a list: None (same origin only), or comma-separated origins."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
    return [str(o).rstrip("/") for o in value]  # type: ignore[attr-defined]


class _WithoutWebSocketCompression:
    """WSGI wrapper that withholds the client's permessage-deflate offer from the handshake.

    simple-websocket accepts permessage-deflate whenever a client offers it (every browser
    does) and has no switch for it; without the offer the connection is plain WebSocket.
    """

    def __init__(self, wsgi_app: Any, path: str) -> None:
        self.wsgi_app = wsgi_app
        self.prefix = "/" + path.strip("/") + "/"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith(self.prefix):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Register the namespace on this app's server and bind its emitter and viewer counts."""
    # socketio.init_app has just made this app's server: give it its own namespace handler
    # (on_namespace registers on the current server only, so apps never share one).
    namespace = ThreadsNamespace()
    socketio.on_namespace(namespace)
    broadcast.install()
    outbox.register(app, broadcast.FOLLOW_UP, "app.realtime.broadcast:send", inline=True)
    server = socketio.server
    app.extensions["zhongyi_realtime_namespace"] = namespace
    origins = allowed_origins(app.config.get("SOCKETIO_CORS_ORIGINS"))
    # Engine.IO checks the Origin of every HTTP and WebSocket request with the same rule the
    # namespace applies on connect: this site, plus any configured origins.
    server.eio.cors_allowed_origins = lambda _origin, environ: origin_allowed(environ, origins)
    server.eio.max_http_buffer_size = app.config.get(
        "SOCKETIO_MAX_MESSAGE_BYTES", MAX_MESSAGE_BYTES
    )
    app.extensions["zhongyi_realtime"] = server
    app.extensions["zhongyi_realtime_origins"] = origins
    if not app.config.get("SOCKETIO_WS_COMPRESSION"):
        app.wsgi_app = _WithoutWebSocketCompression(app.wsgi_app, "socket.io")  # type: ignore[method-assign]
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if queue and str(queue).startswith(("redis://", "rediss://", "unix://")):
        app.extensions["zhongyi_viewers"] = RedisViewers(str(queue), socketio.start_background_task)
    else:
        app.extensions["zhongyi_viewers"] = LocalViewers()
