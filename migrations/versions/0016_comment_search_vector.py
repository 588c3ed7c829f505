"""search: comments store their full-text vector (PostgreSQL)

Revision ID: 0016
Revises: 0014

On PostgreSQL, `comments` gets a generated column `search_vector` =
to_tsvector('simple', coalesce(tokens, '')) STORED, and the GIN index moves from the expression
(ix_comments_tokens_fts, migration 0011) to that column (ix_comments_search_vector). Search
filters and ranks on the stored vector instead of cutting every candidate row's tokens again at
query time: over 300,000 comments a common word took seconds (bench/RESULTS.md, "Follow,
notify, find"). Adding a stored generated column rewrites the table once (seconds for a few
hundred thousand comments; it holds a lock on comments meanwhile).

The column is outside the SQLAlchemy metadata (deliberation/search/index.py; Alembic's
comparison skips it). SQLite is unchanged (its FTS5 table already stores the terms).
"""

from alembic import op

from deliberation.search import index as search_index

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in search_index.postgresql_vector_statements():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in search_index.postgresql_vector_drop_statements():
            op.execute(statement)
