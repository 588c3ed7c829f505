"""The full-text indexes over the stored tokens, created with the schema (create_all runs the
statements of migrations 0011 and 0016).

PostgreSQL: a GIN index on ``to_tsvector('simple', coalesce(tokens, ''))`` of consultations and
sections (the `simple` configuration: the tokens are already words; no stemming, no stop
words). Comments, the big table, store that vector in a generated column ``search_vector``
(migration 0016) with a GIN index on it: a query that filters or ranks many rows reads the
stored vector instead of cutting every row's tokens again (bench/RESULTS.md, "Search").
SQLite: one FTS5 table ``search_fts`` whose rowid encodes the row (``id * 4 + kind``), filled
and kept in step by triggers on the three tables.

These objects are not in the SQLAlchemy metadata (it cannot describe them): `is_index_object`
tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from ..models.base import Base

KINDS = {"consultations": 1, "sections": 2, "comments": 3}  # table -> rowid % 4 in search_fts
FTS_TABLE = "search_fts"
PG_INDEXES = {table: f"ix_{table}_tokens_fts" for table in KINDS}  # migration 0011
VECTOR = "search_vector"  # comments' stored tsvector (PostgreSQL, migration 0016)
VECTOR_INDEX = "ix_comments_search_vector"
VECTOR_TABLES = ("comments",)


def tsvector_sql(table: str) -> str:
    """The indexed vector, written the same way by the index and the queries."""
    if table in VECTOR_TABLES:
        return f"{table}.{VECTOR}"
    return f"to_tsvector('simple', coalesce({table}.tokens, ''))"


def postgresql_statements(tables: tuple[str, ...] = tuple(KINDS)) -> list[str]:
    """The expression indexes of migration 0011."""
    return [
        f"CREATE INDEX IF NOT EXISTS {PG_INDEXES[table]} ON {table} "
        f"USING gin (to_tsvector('simple', coalesce(tokens, '')))"
        for table in tables
    ]


def postgresql_vector_statements() -> list[str]:
    """Migration 0016: comments store their vector (a generated column; the table is rewritten
    once) and the GIN index is on that column instead of the expression."""
    return [
        f"ALTER TABLE comments ADD COLUMN IF NOT EXISTS {VECTOR} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple', coalesce(tokens, ''))) STORED",
        f"DROP INDEX IF EXISTS {PG_INDEXES['comments']}",
        f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON comments USING gin ({VECTOR})",
    ]


def postgresql_vector_drop_statements() -> list[str]:
    """Migration 0016's downgrade: back to the expression index."""
    return [
        f"DROP INDEX IF EXISTS {VECTOR_INDEX}",
        f"ALTER TABLE comments DROP COLUMN IF EXISTS {VECTOR}",
        *postgresql_statements(("comments",)),
    ]


def sqlite_statements() -> list[str]:
    out = [f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(tokens)"]
    for table, kind in KINDS.items():
        key = f"{{row}}.id * 4 + {kind}"
        new, old = key.format(row="new"), key.format(row="old")
        out += [
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{table}_ai AFTER INSERT ON {table} "
            f"WHEN new.tokens IS NOT NULL BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES ({new}, new.tokens); END",
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{table}_au AFTER UPDATE OF tokens ON {table} "
            f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = {old}; "
            f"INSERT INTO {FTS_TABLE}(rowid, tokens) SELECT {new}, new.tokens "
            f"WHERE new.tokens IS NOT NULL; END",
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{table}_ad AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = {old}; END",
        ]
    return out


def sqlite_fill_statements() -> list[str]:
    """Index the rows that exist already (the migration on a filled database)."""
    return [
        f"INSERT INTO {FTS_TABLE}(rowid, tokens) "
        f"SELECT id * 4 + {kind}, tokens FROM {table} WHERE tokens IS NOT NULL"
        for table, kind in KINDS.items()
    ]


def sqlite_drop_statements() -> list[str]:
    triggers = [
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{table}_{when}"
        for table in KINDS
        for when in ("ai", "au", "ad")
    ]
    return [*triggers, f"DROP TABLE IF EXISTS {FTS_TABLE}"]


def is_index_object(name: str | None, type_: str) -> bool:
    """Whether Alembic's comparison should skip this object (it is ours, outside the metadata)."""
    if name is None:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    if type_ == "column":
        return name == VECTOR
    return type_ == "index" and (name in PG_INDEXES.values() or name == VECTOR_INDEX)


_CREATED = [t for t in KINDS if t not in VECTOR_TABLES]
for _statement in postgresql_statements(tuple(_CREATED)) + postgresql_vector_statements():
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in sqlite_statements():
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
