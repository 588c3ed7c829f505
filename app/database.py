"""Binding the database: engine quirks, and the write-time tokenizer."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from deliberation.services import comments

from .extensions import db


def init_app(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_fixes(db.engine)
    if app.config.get("SEGMENT_ON_WRITE", True):
        from analysis.segment import get_segmenter

        # Segment once when a comment is written; analysis runs read the stored tokens.
        comments.set_tokenizer(lambda text: get_segmenter().tokens(text))


def _sqlite_fixes(engine: Engine) -> None:
    """Foreign keys on, and let SQLAlchemy (not pysqlite) emit BEGIN so savepoints work."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
