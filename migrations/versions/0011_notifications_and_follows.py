"""attachments; notifications: read state, consultation and actor; follows. search: tokens, full-text indexes, topic tags

Notifications move out of moderation into their own module (same table): a notification now
knows its consultation, who caused it (the replier, the mentioner) and when it was read. The
new `follows` table holds who follows which consultation, thread, comment or agency.

Reviewed by hand:
- `notifications` is rebuilt with a batch on SQLite (no table references it, so the rebuild is
  safe) to add the two foreign keys; PostgreSQL alters it in place.
- Search (deliberation/search): consultations and sections get a `tokens` column like comments.
  PostgreSQL gets a GIN index on to_tsvector('simple', coalesce(tokens, '')) per table; SQLite
  gets the FTS5 table `search_fts` and its triggers, filled from the comments' stored tokens.
  The statements are those of deliberation/search/index.py (create_all runs the same ones).
  Existing consultations and sections have no tokens until `flask search reindex` is run.
- Notifications that existed before this migration are marked read (read_at = created_at):
  moderation notices people have already seen on /me/notices must not appear as a sudden
  unread count in the header.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 11:30:00

"""
from alembic import op
import sqlalchemy as sa

from deliberation.search import index as search_index

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consultation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mail', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notifications_consultation_id_consultations'),
            'consultations', ['consultation_id'], ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_notifications_actor_id_users'), 'users', ['actor_id'], ['id']
        )
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)
    op.execute("UPDATE notifications SET read_at = created_at WHERE read_at IS NULL")

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("target_type IN ('consultation', 'thread', 'comment', 'agency')", name=op.f('ck_follows_target_type_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('user_id', 'target_type', 'target_id', name='uq_follows_user_target')
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index('ix_follows_target', ['target_type', 'target_id'], unique=False)


    op.create_table('email_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency IN ('immediate', 'daily', 'weekly', 'never')", name=op.f('ck_email_preferences_frequency_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_email_preferences_user_kind')
    )
    op.create_table('digest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=24), nullable=False),
    sa.Column('notifications', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_runs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_runs')),
    sa.UniqueConstraint('user_id', 'period', name='uq_digest_runs_user_period')
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachments_size_nonneg')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_attachments_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_attachments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_consultation_id'), ['consultation_id'], unique=False)
    op.create_table('consultation_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_tags_consultation_id_consultations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_tags')),
    sa.UniqueConstraint('consultation_id', 'tag', name='uq_consultation_tags_consultation_tag')
    )
    with op.batch_alter_table('consultation_tags', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_tags_tag', ['tag'], unique=False)
    op.add_column('consultations', sa.Column('tokens', sa.Text(), nullable=True))
    op.add_column('sections', sa.Column('tokens', sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for statement in search_index.postgresql_statements():
            op.execute(statement)
    elif dialect == 'sqlite':
        for statement in search_index.sqlite_statements() + search_index.sqlite_fill_statements():
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for name in search_index.PG_INDEXES.values():
            op.execute(f'DROP INDEX IF EXISTS {name}')
    elif dialect == 'sqlite':
        for statement in search_index.sqlite_drop_statements():
            op.execute(statement)
    op.drop_column('sections', 'tokens')
    op.drop_column('consultations', 'tokens')
    with op.batch_alter_table('consultation_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_tags_tag')
    op.drop_table('consultation_tags')
    op.drop_table('digest_runs')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_consultation_id'))
    op.drop_table('attachments')
    op.drop_table('email_preferences')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index('ix_follows_target')
    op.drop_table('follows')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_read')
        batch_op.drop_constraint(batch_op.f('fk_notifications_actor_id_users'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_notifications_consultation_id_consultations'), type_='foreignkey'
        )
        batch_op.drop_column('emailed_at')
        batch_op.drop_column('mail')
        batch_op.drop_column('read_at')
        batch_op.drop_column('actor_id')
        batch_op.drop_column('consultation_id')
