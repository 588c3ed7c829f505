"""trust: server-side sessions, two-factor sign-in, reserved names, account audit log

user_sessions (a row per log-in; logging out revokes it), two_factor and recovery_codes (TOTP
secret, single-use recovery codes stored as SHA-256), reserved_names and name_exceptions (the
admins' reserved display-name words and per-person exceptions), account_audit (append-only:
triggers refuse UPDATE and DELETE on SQLite and PostgreSQL, and TRUNCATE on PostgreSQL).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

APPEND_ONLY = "account_audit is append-only"


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('two_factor', sa.Boolean(), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_user_sessions_revoked_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')),
    )
    op.create_index('ix_user_sessions_user_active', 'user_sessions', ['user_id', 'revoked_at'], unique=False)
    op.create_table(
        'two_factor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_two_factor_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor')),
        sa.UniqueConstraint('user_id', name=op.f('uq_two_factor_user_id')),
    )
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)
    op.create_table(
        'reserved_names',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('word', sa.String(length=80), nullable=False),
        sa.Column('normalized', sa.String(length=80), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reserved_names_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reserved_names')),
        sa.UniqueConstraint('normalized', name=op.f('uq_reserved_names_normalized')),
    )
    op.create_table(
        'name_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('normalized', sa.String(length=80), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_name_exceptions_granted_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_name_exceptions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_name_exceptions')),
        sa.UniqueConstraint('user_id', 'normalized', name='uq_name_exceptions_user'),
    )
    op.create_table(
        'account_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('subject_user_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_audit_actor_id_users')),
        sa.ForeignKeyConstraint(['subject_user_id'], ['users.id'], name=op.f('fk_account_audit_subject_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_audit')),
    )
    op.create_index(op.f('ix_account_audit_subject_user_id'), 'account_audit', ['subject_user_id'], unique=False)
    # The audit log is append-only for every client of the database.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            "CREATE TRIGGER account_audit_no_update BEFORE UPDATE ON account_audit "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
        op.execute(
            "CREATE TRIGGER account_audit_no_delete BEFORE DELETE ON account_audit "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION account_audit_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER account_audit_no_change BEFORE UPDATE OR DELETE ON account_audit "
            "FOR EACH ROW EXECUTE FUNCTION account_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER account_audit_no_truncate BEFORE TRUNCATE ON account_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION account_audit_append_only()"
        )


def downgrade():
    # Dropping the table drops its triggers; the PostgreSQL function goes separately.
    op.drop_index(op.f('ix_account_audit_subject_user_id'), table_name='account_audit')
    op.drop_table('account_audit')
    if op.get_bind().dialect.name != 'sqlite':
        op.execute("DROP FUNCTION IF EXISTS account_audit_append_only()")
    op.drop_table('name_exceptions')
    op.drop_table('reserved_names')
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_table('two_factor')
    op.drop_index('ix_user_sessions_user_active', table_name='user_sessions')
    op.drop_table('user_sessions')
