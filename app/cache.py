"""Rendered public pages and API answers, keyed by the thread's state.

Anonymous readers all see the same thing, so a thread rendered once is served again until the
thread's event counter (or its consultation) changes. Each worker process keeps its own cache; the
key is read from the database on every request, so several workers never serve a stale page.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, request, session
from sqlalchemy import create_engine


class RenderCache:
    """A small thread-safe LRU of response bodies."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: tuple[object, ...], body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


public_cache = RenderCache()


def public_thread_state(thread_id: int):
    """The thread's state in one autocommit round trip (no BEGIN/ROLLBACK around it)."""
    from flask import current_app

    from deliberation.services.comments import thread_state

    from .extensions import db

    if not current_app.config["PUBLIC_STATE_AUTOCOMMIT"] or db.engine.dialect.name == "sqlite":
        return thread_state(db.session, thread_id)
    engine = current_app.extensions.get("zhongyi_state_engine")
    if engine is None:
        # Its own small autocommit pool: no BEGIN, no ROLLBACK on return, just the one SELECT.
        engine = create_engine(
            db.engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, pool_size=4
        )
        current_app.extensions["zhongyi_state_engine"] = engine
    with engine.connect() as conn:
        return thread_state(conn, thread_id)


def cacheable_request() -> bool:
    """Only requests that would render the same for any anonymous reader."""
    from .security import current_actor

    return current_actor() is None and "_flashes" not in session and request.method == "GET"


def serve_cached(key: tuple[object, ...], mimetype: str, render: Callable[[], bytes]) -> Response:
    """The cached body for key (rendering it on a miss), with an ETag for conditional requests."""
    body = public_cache.get(key)
    if body is None:
        body = render()
        public_cache.put(key, body)
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    response.make_conditional(request)
    return response
