"""Shared fixtures: the app on a real database (SQLite, or PostgreSQL from TEST_DATABASE_URL, one
database per xdist worker: tests/databases.py), per-test rollback, a client per test, and the
factories of tests/factories.py as fixtures of the same names (`make_user`, `login`, …).

Tests receive helpers as fixtures or import them from tests/factories.py, never from a conftest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import Connection, event
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.cache import public_cache
from app.extensions import db
from config import TestingConfig
from tests import factories
from tests.clients import IsolatedClient
from tests.databases import Templates, isolated_database_url, worker_database_url

# Fixtures shared by several test packages (the browser, live sites, socket clients).
pytest_plugins = ["tests.plugins.browser", "tests.plugins.sockets"]

REPO = Path(__file__).resolve().parent.parent


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `pytest -n 2 --dist loadgroup` (make test), the tests that drive a browser or real
    server processes share one worker: one Chromium and one demo template for all of them, and
    their timing assertions never race a second live site started by the other worker."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("live"))


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=worker_database_url())
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="module")
def module_connection(app: Flask) -> Iterator[Connection]:
    """The test module's database connection, in a transaction rolled back after the module.

    Each test works in a savepoint of it (the `session` fixture), so what a module-scoped
    fixture writes through `module_scene` is there, unchanged, at the start of every test.
    """
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@contextlib.contextmanager
def _bound_session(app: Flask, connection: Connection) -> Iterator[scoped_session]:
    """db.session on `connection` for the block: factories' commits release savepoints."""
    with app.app_context():
        # A plain Session: Flask-SQLAlchemy's own picks the engine per table, ignoring `bind`.
        # Scoped like Flask-SQLAlchemy's, per app context, so each request gets its own.
        scoped = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        original = db.session
        db.session = scoped
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original


@pytest.fixture(scope="module")
def module_scene(app: Flask, module_connection: Connection) -> Callable:
    """For module-scoped fixtures: `with module_scene(): ...` builds rows (with the factories)
    that every test of the module starts from; rolled back after the module. Return ids or
    plain values from such a fixture, not ORM objects (their session is gone)."""
    return lambda: _bound_session(app, module_connection)


@pytest.fixture
def session(app: Flask, module_connection: Connection) -> Iterator[scoped_session]:
    """A database session whose work is rolled back after the test, commits included.

    Requests made by the test client run in the test's app context and so share this session:
    factories commit (a savepoint release), so a request that rolls back undoes only itself.
    """
    savepoint = module_connection.begin_nested()
    public_cache.clear()  # rendered pages of a rolled-back test must not outlive it
    try:
        with _bound_session(app, module_connection) as scoped:
            yield scoped
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture
def client(app: Flask, session) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
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


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    with isolated_database_url(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory) -> Iterator[Templates]:
    """Databases filled once per session (the demo, …) and copied for each test that asks."""
    templates = Templates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop_all()


# ---- the factories (tests/factories.py) as fixtures -----------------------------------------


@pytest.fixture(name="make_agency")
def make_agency_fixture(session) -> Callable:
    return factories.make_agency


@pytest.fixture(name="make_user")
def make_user_fixture(session) -> Callable:
    return factories.make_user


@pytest.fixture(name="make_consultation")
def make_consultation_fixture(session) -> Callable:
    return factories.make_consultation


@pytest.fixture(name="general_thread")
def general_thread_fixture(session) -> Callable:
    return factories.general_thread


@pytest.fixture(name="make_comment")
def make_comment_fixture(session) -> Callable:
    return factories.make_comment


@pytest.fixture(name="save")
def save_fixture(session) -> Callable:
    return factories.save


@pytest.fixture(name="login")
def login_fixture(app) -> Callable:
    """login(client, user): the client is logged in as `user` (the session written directly)."""
    return factories.login


@pytest.fixture(name="login_with_form")
def login_with_form_fixture(app) -> Callable:
    """login_with_form(client, user): logged in through the real form, CSRF and password."""
    return factories.login_with_form


@pytest.fixture(name="csrf_from")
def csrf_from_fixture() -> Callable:
    return factories.csrf_from


@pytest.fixture(name="api_csrf")
def api_csrf_fixture(app) -> Callable:
    return factories.api_csrf
