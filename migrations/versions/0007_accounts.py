"""accounts: verified e-mail, mail language, deleted accounts; privacy texts and consents

Issue 13. Three nullable columns on users (email_verified_at, language, deleted_at) and two
tables: policy_documents (versioned 個資告知 and 隱私權政策; a change is a new row) and consents
(who accepted which version of the notice, when).

Accounts that exist before this migration were made before verification existed; they are
marked verified as of the upgrade, so nobody already taking part is locked out.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD / DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `users` would
    # have to drop a table every other table refers to.
    op.add_column('users', sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('language', sa.String(length=8), nullable=True))
    op.add_column('users', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at WHERE origin IS NULL")

    op.create_table(
        'policy_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('body_zh', sa.Text(), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('collection_notice', 'privacy_policy')",
            name=op.f('ck_policy_documents_kind_valid'),
        ),
        sa.CheckConstraint('version >= 1', name=op.f('ck_policy_documents_version_positive')),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_policy_documents_created_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_documents')),
        sa.UniqueConstraint('kind', 'version', name='uq_policy_documents_kind_version'),
    )
    op.create_table(
        'consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['document_id'], ['policy_documents.id'],
            name=op.f('fk_consents_document_id_policy_documents'),
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consents_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consents')),
    )
    op.create_index('ix_consents_user', 'consents', ['user_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_consents_user', table_name='consents')
    op.drop_table('consents')
    op.drop_table('policy_documents')
    for column in ('deleted_at', 'language', 'email_verified_at'):
        op.execute(f'ALTER TABLE users DROP COLUMN {column}')
