"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL from TEST_DATABASE_URL),
per-test rollback, logged-in clients and small factories."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.security import generate_password_hash

from app import create_app
from app.cache import public_cache
from app.extensions import db
from config import TestingConfig, _database_url
from deliberation.models import Agency, Consultation, Thread, User, utcnow
from deliberation.services import comments, consultations
from deliberation.services.consultations import SectionInput

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
# Hashing with the default scrypt costs ~50 ms; tests create many users, so hash once.
_PASSWORD_HASH = generate_password_hash(PASSWORD)
_counter = itertools.count(1)


def using_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    application = create_app(TestingConfig)
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator:
    """A database session whose work is rolled back after the test, commits included.

    Requests made by the test client run in the test's app context and so share this session:
    factories commit (a savepoint release), so a request that rolls back undoes only itself.
    """
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        # A plain Session: Flask-SQLAlchemy's own picks the engine per table, ignoring `bind`.
        # Scoped like Flask-SQLAlchemy's, per app context, so each request gets its own.
        scoped = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        original = db.session
        db.session = scoped
        public_cache.clear()  # rendered pages of a rolled-back test must not outlive it
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (so its own `g`, login and db session), as in
    production, even though the test body holds one open for the factories."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            _cv_app.set(None)  # only inside this copied context
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture
def client(app: Flask, session) -> FlaskClient:  # noqa: ARG001
    app.test_client_class = IsolatedClient
    return app.test_client()


# ---- factories ---------------------------------------------------------------------------


def make_agency(code: str = "NDC", name: str = "國家發展委員會") -> Agency:
    from sqlalchemy import select

    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name)
        db.session.add(agency)
        db.session.commit()
    return agency


def make_user(
    role: str = "citizen",
    *,
    agency: Agency | None = None,
    name: str | None = None,
    email: str | None = None,
    verified: bool = True,
) -> User:
    n = next(_counter)
    if role == "staff" and agency is None:
        agency = make_agency()
    user = User(
        email=email or f"user{n}@example.tw",
        display_name=name or f"使用者{n}",
        password_hash=_PASSWORD_HASH,
        role=role,
        agency=agency if role == "staff" else None,
        email_verified_at=utcnow() if verified else None,  # factory-made people are verified
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_consultation(
    *, staff: User | None = None, status: str = "open", sections: int = 2, **kwargs
) -> Consultation:
    staff = staff or make_user("staff")
    item = consultations.create_consultation(
        db.session,
        actor=staff,
        title=kwargs.pop("title", "電動機車補助草案"),
        summary=kwargs.pop("summary", "草案摘要"),
        body=kwargs.pop("body", "草案**全文**"),
        sections=[
            SectionInput(title=f"第{i}條", body=f"條文內容 {i}") for i in range(1, sections + 1)
        ],
        status=status,
        **kwargs,
    )
    db.session.commit()
    return item


def general_thread(consultation: Consultation) -> Thread:
    return consultations.general_thread(consultation)


def make_comment(
    thread: Thread, author: User | None = None, body: str = "我支持這個草案", parent=None, **kwargs
):
    comment = comments.post_comment(
        db.session,
        thread,
        actor=author or make_user(),
        body=body,
        parent_id=parent.id if parent is not None else None,
        **kwargs,
    )
    db.session.commit()
    return comment


def save() -> None:
    """Commit the test's own changes (a savepoint; the test's transaction is still rolled back)."""
    db.session.commit()


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log the client in through the real form (CSRF and all)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def api_csrf(client: FlaskClient, path: str = "/") -> dict[str, str]:
    """Headers for a session-authenticated API call: the CSRF token from a page."""
    return {"X-CSRFToken": csrf_from(client.get(path).get_data(as_text=True))}


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)


@pytest.fixture
def count_queries(app: Flask):
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def hours_ago(h: float):
    return utcnow() - timedelta(hours=h)


@contextlib.contextmanager
def isolated_database_url(directory: Path, prefix: str = "t") -> Iterator[str]:
    """An empty database of its own: a fresh SQLite file, or a fresh schema on the test PostgreSQL."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{directory / 'empty.sqlite3'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(_database_url(pg))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg else "?"
    try:
        yield f"{_database_url(pg)}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    with isolated_database_url(tmp_path) as url:
        yield url
