"""The tests' databases: in-memory SQLite by default, PostgreSQL from TEST_DATABASE_URL.

Under pytest-xdist every worker gets a PostgreSQL database of its own (TEST_DATABASE_URL's name
plus the worker id, created on first use), so workers never see each other's tables. Tests that
need a database of their own (several processes, migrations, a live site) get an empty schema
or SQLite file, or a copy of a template made once per session (`template_copy`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from config import _database_url


def xdist_worker() -> str:
    """This process's pytest-xdist worker id ("gw0", "gw1", …), or "" when not distributed."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def using_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


def _admin_engine(url: URL):  # type: ignore[no-untyped-def]
    """An autocommit engine on the server's maintenance database (for CREATE/DROP DATABASE)."""
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _ensure_database(url: URL) -> None:
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        engine.dispose()


@functools.cache
def worker_database_url() -> str:
    """The SQLAlchemy URL of this process's test database (this worker's, under xdist)."""
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        return "sqlite://"
    url = make_url(_database_url(raw))
    worker = xdist_worker()
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
        _ensure_database(url)
    return url.render_as_string(hide_password=False)


@contextlib.contextmanager
def isolated_database_url(directory: Path, prefix: str = "t") -> Iterator[str]:
    """An empty database of its own: a fresh SQLite file, or a fresh schema on the test PostgreSQL."""
    if not using_postgres():
        yield f"sqlite:///{directory / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    base = worker_database_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


class Templates:
    """Databases filled once per session and copied for each test that wants one.

    SQLite: the filled file is copied. PostgreSQL: a database `<test db>_tpl_<name>` is filled
    once and each copy is `CREATE DATABASE … TEMPLATE …` (copied by the server, no Python).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.made: dict[str, str] = {}  # name -> the template's URL
        self.data: dict[str, Any] = {}  # name -> what its fill returned (ids, tokens, …)
        self.copies: list[str] = []  # PostgreSQL copies, dropped by drop_all

    def template(self, name: str, fill: Callable[[str], Any]) -> str:
        if name not in self.made:
            if using_postgres():
                url = make_url(worker_database_url())
                url = url.set(database=f"{url.database}_tpl_{name}")
                engine = _admin_engine(url)
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{url.database}"'))
                engine.dispose()
                rendered = url.render_as_string(hide_password=False)
            else:
                rendered = f"sqlite:///{self.directory / f'template-{name}.sqlite3'}"
            # fill must dispose of its engines: PostgreSQL copies only a template nobody is on.
            self.data[name] = fill(rendered)
            self.made[name] = rendered
        return self.made[name]

    @contextlib.contextmanager
    def copy(self, name: str, fill: Callable[[str], Any]) -> Iterator[str]:
        """A fresh copy of the template `name` (made with `fill(url)` on first use)."""
        template = self.template(name, fill)
        copy_name = f"{name}_{uuid.uuid4().hex[:8]}"
        if not using_postgres():
            target = self.directory / f"{copy_name}.sqlite3"
            shutil.copyfile(make_url(template).database or "", target)
            try:
                yield f"sqlite:///{target}"
            finally:
                target.unlink(missing_ok=True)
            return
        url = make_url(template)
        target_url = url.set(database=f"{make_url(worker_database_url()).database}_{copy_name}")
        engine = _admin_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(
                    text(f'CREATE DATABASE "{target_url.database}" TEMPLATE "{url.database}"')
                )
        finally:
            engine.dispose()
        # Dropped with the templates at the end of the session: DROP DATABASE waits for a
        # checkpoint of the whole server, which one drop after another makes cheap.
        self.copies.append(target_url.render_as_string(hide_password=False))
        yield self.copies[-1]

    def drop_all(self) -> None:
        if not using_postgres():
            return
        for database in [*self.copies, *self.made.values()]:
            url = make_url(database)
            engine = _admin_engine(url)
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            engine.dispose()
        self.copies.clear()
        self.made.clear()
