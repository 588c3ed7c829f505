"""focus groups: the 政策提案座談會 lottery (issue 18)

focus_groups (one per consultation: panel size, notice version, retention date), focus_quotas
(min/max seats per category feature), focus_volunteers (the pool: consented attributes until
the retention date, status, selection probability, reserve rank), focus_draws (the audit record).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'focus_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('panel_size', sa.Integer(), nullable=False),
        sa.Column('retain_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('notice_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('panel_size BETWEEN 1 AND 200', name=op.f('ck_focus_groups_panel_size_range')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_focus_groups_consultation_id_consultations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_groups')),
        sa.UniqueConstraint('consultation_id', name=op.f('uq_focus_groups_consultation_id')),
    )
    op.create_table(
        'focus_quotas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_group_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('feature', sa.String(length=60), nullable=False),
        sa.Column('min_seats', sa.Integer(), nullable=False),
        sa.Column('max_seats', sa.Integer(), nullable=False),
        sa.CheckConstraint('min_seats >= 0 AND max_seats >= min_seats', name=op.f('ck_focus_quotas_seats_range')),
        sa.ForeignKeyConstraint(['focus_group_id'], ['focus_groups.id'], name=op.f('fk_focus_quotas_focus_group_id_focus_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_quotas')),
        sa.UniqueConstraint('focus_group_id', 'category', 'feature', name='uq_focus_quotas_feature'),
    )
    op.create_table(
        'focus_volunteers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_group_id', sa.Integer(), nullable=False),
        sa.Column('pool_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('attributes', sa.JSON(), nullable=True),
        sa.Column('notice_version', sa.String(length=32), nullable=False),
        sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('probability', sa.Float(), nullable=True),
        sa.Column('reserve_rank', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pool', 'selected', 'reserve', 'withdrawn')", name=op.f('ck_focus_volunteers_status_valid')),
        sa.ForeignKeyConstraint(['focus_group_id'], ['focus_groups.id'], name=op.f('fk_focus_volunteers_focus_group_id_focus_groups')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_focus_volunteers_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_volunteers')),
        sa.UniqueConstraint('focus_group_id', 'pool_id', name='uq_focus_volunteers_pool_id'),
        sa.UniqueConstraint('focus_group_id', 'user_id', name='uq_focus_volunteers_user'),
    )
    op.create_table(
        'focus_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_group_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('record', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_focus_draws_actor_id_users')),
        sa.ForeignKeyConstraint(['focus_group_id'], ['focus_groups.id'], name=op.f('fk_focus_draws_focus_group_id_focus_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_draws')),
    )


def downgrade():
    op.drop_table('focus_draws')
    op.drop_table('focus_volunteers')
    op.drop_table('focus_quotas')
    op.drop_table('focus_groups')
