"""Server entry point: `python wsgi.py` (development) or gunicorn `wsgi:app` (production)."""

from __future__ import annotations

import os

if os.environ.get("ZHONGYI_GEVENT") == "1":  # production: patch before anything imports sockets
    from gevent import monkey

    monkey.patch_all()

from app import create_app
from app.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(
        app,
        host=app.config["HOST"],
        port=app.config["PORT"],
        debug=os.environ.get("FLASK_DEBUG") == "1",
        allow_unsafe_werkzeug=True,
    )
