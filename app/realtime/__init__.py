"""Real-time threads: the /threads Socket.IO namespace and the emit-after-commit hooks.

See docs/api.md ("Real-time") for the contract and docs/deploy.md for serving it on many
processes. Delivery over the socket is at most once; completeness comes from the client's
gap resync through GET /api/v1/threads/<id>/events.
"""

from __future__ import annotations

from flask import Flask

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


def init_app(app: Flask) -> None:
    """Register the namespace on this app's server and bind its emitter and viewer counts."""
    # socketio.init_app has just made this app's server: give it its own namespace handler
    # (on_namespace registers on the current server only, so apps never share one).
    namespace = ThreadsNamespace()
    socketio.on_namespace(namespace)
    broadcast.install()
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
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if queue and str(queue).startswith(("redis://", "rediss://", "unix://")):
        app.extensions["zhongyi_viewers"] = RedisViewers(str(queue), socketio.start_background_task)
    else:
        app.extensions["zhongyi_viewers"] = LocalViewers()
