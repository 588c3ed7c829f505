"""The declarative base, naming convention and UTC column type shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    DateTime,
    MetaData,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep Alembic migrations reviewable and reversible.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime stored as UTC and always read back timezone-aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def enum_check(column: str, enum_cls: type[enum.StrEnum]) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


def append_only(model: type[Base]) -> None:
    """Make a log table append-only: the ORM refuses to update or delete its rows, and database
    triggers (SQLite and PostgreSQL, created with the table) refuse any SQL that tries, bulk
    UPDATE/DELETE and TRUNCATE included. Migrations that create such a table create the same
    triggers."""
    table = model.__tablename__
    message = f"{table} is append-only"

    def refuse(_mapper: Any, _connection: Any, target: Any) -> None:
        raise PermissionError(f"{message} (row {target.id})")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
    for ddl in (
        DDL(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ).execute_if(dialect="sqlite"),
        DDL(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ).execute_if(dialect="sqlite"),
        DDL(
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$"
        ).execute_if(dialect="postgresql"),
        DDL(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        ).execute_if(dialect="postgresql"),
        DDL(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        ).execute_if(dialect="postgresql"),
    ):
        event.listen(model.__table__, "after_create", ddl)
