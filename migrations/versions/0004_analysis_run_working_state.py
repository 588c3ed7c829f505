"""analysis runs: the working state (machine themes, votes at read time, duplicates) in its own column

Until now it was kept inside the opinion-groups JSON under "snapshot", and every reader of
`groups` had to strip it. The upgrade moves it out of existing rows; the downgrade puts it back.
Plain ADD COLUMN / DROP COLUMN, never a batch rebuild (see 0002).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

runs = sa.table(
    'analysis_runs',
    sa.column('id', sa.Integer),
    sa.column('groups', sa.JSON),
    sa.column('working', sa.JSON),
)


def upgrade():
    op.add_column('analysis_runs', sa.Column('working', sa.JSON(), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(runs.c.id, runs.c.groups)).all():
        groups = dict(row.groups or {})
        if 'snapshot' not in groups:
            continue
        working = groups.pop('snapshot')
        conn.execute(
            runs.update().where(runs.c.id == row.id).values(groups=groups, working=working)
        )


def downgrade():
    conn = op.get_bind()
    for row in conn.execute(sa.select(runs.c.id, runs.c.groups, runs.c.working)).all():
        if row.working is None:
            continue
        groups = {**(row.groups or {}), 'snapshot': row.working}
        conn.execute(runs.update().where(runs.c.id == row.id).values(groups=groups))
    op.drop_column('analysis_runs', 'working')
