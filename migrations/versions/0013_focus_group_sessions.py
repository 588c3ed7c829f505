"""focus-group sessions and invitations (issue 18)

focus_invitations (a signed link mailed to one address; its holder volunteers without an
account), focus_volunteers.invitation_id, focus_sessions (date, place or online link,
facilitator, agenda, the thread its statements join) and focus_attendance (speaker label and
presence per panel member).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'focus_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_group_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_focus_invitations_created_by_id_users')),
        sa.ForeignKeyConstraint(['focus_group_id'], ['focus_groups.id'], name=op.f('fk_focus_invitations_focus_group_id_focus_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_invitations')),
    )
    op.create_index(op.f('ix_focus_invitations_focus_group_id'), 'focus_invitations', ['focus_group_id'], unique=False)
    with op.batch_alter_table('focus_volunteers') as batch:
        batch.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_focus_volunteers_invitation_id_focus_invitations'), 'focus_invitations', ['invitation_id'], ['id'])
        batch.create_unique_constraint('uq_focus_volunteers_invitation', ['invitation_id'])
    op.create_table(
        'focus_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_group_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=True),
        sa.Column('online_url', sa.String(length=500), nullable=True),
        sa.Column('facilitator', sa.String(length=120), nullable=False),
        sa.Column('agenda', sa.Text(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('place IS NOT NULL OR online_url IS NOT NULL', name=op.f('ck_focus_sessions_has_venue')),
        sa.ForeignKeyConstraint(['focus_group_id'], ['focus_groups.id'], name=op.f('fk_focus_sessions_focus_group_id_focus_groups')),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_focus_sessions_thread_id_threads')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_sessions')),
    )
    op.create_index(op.f('ix_focus_sessions_focus_group_id'), 'focus_sessions', ['focus_group_id'], unique=False)
    op.create_table(
        'focus_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=4), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['focus_sessions.id'], name=op.f('fk_focus_attendance_session_id_focus_sessions')),
        sa.ForeignKeyConstraint(['volunteer_id'], ['focus_volunteers.id'], name=op.f('fk_focus_attendance_volunteer_id_focus_volunteers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_attendance')),
        sa.UniqueConstraint('session_id', 'label', name='uq_focus_attendance_label'),
        sa.UniqueConstraint('session_id', 'volunteer_id', name='uq_focus_attendance_member'),
    )


def downgrade():
    op.drop_table('focus_attendance')
    op.drop_index(op.f('ix_focus_sessions_focus_group_id'), table_name='focus_sessions')
    op.drop_table('focus_sessions')
    with op.batch_alter_table('focus_volunteers') as batch:
        batch.drop_constraint('uq_focus_volunteers_invitation', type_='unique')
        batch.drop_constraint(op.f('fk_focus_volunteers_invitation_id_focus_invitations'), type_='foreignkey')
        batch.drop_column('invitation_id')
    op.drop_index(op.f('ix_focus_invitations_focus_group_id'), table_name='focus_invitations')
    op.drop_table('focus_invitations')
