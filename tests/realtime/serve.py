"""Serve the app on HOST:PORT like `python wsgi.py`, with the settings a test or benchmark needs.

    DATABASE_URL=… PORT=… [SOCKETIO_MESSAGE_QUEUE=redis://…] [ZHONGYI_GEVENT=1
    SOCKETIO_ASYNC_MODE=gevent] python -m tests.realtime.serve

Differences from wsgi.py: no rate limits (the tests post in bursts; SERVE_RATELIMIT=1 keeps
them, with RATELIMIT_STORAGE_URI from the environment), no jieba segmentation on write (saves a
dictionary load per process), quiet request logging.
"""

from __future__ import annotations

import os

if os.environ.get("ZHONGYI_GEVENT") == "1":
    from gevent import monkey

    monkey.patch_all()

import logging

from app import create_app
from app.extensions import socketio
from config import Config


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    app = create_app(
        Config,
        SECRET_KEY=os.environ.get("SECRET_KEY", "realtime-test-secret"),
        RATELIMIT_ENABLED=os.environ.get("SERVE_RATELIMIT") == "1",
        SEGMENT_ON_WRITE=False,
    )
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ["PORT"]),
        allow_unsafe_werkzeug=True,
        log_output=False,
    )


if __name__ == "__main__":
    main()
