"""quick polls (民調, issue 18): polls, questions, responses, population margins

polls (one per consultation: title, the 個資 notice version, the retention date of demographic
answers), poll_questions (at most ten: single, multi or a 1–5 scale), poll_responses (one per
account and poll: the answers, consented demographic answers), population_margins (per
consultation: category, feature, per cent; used for raking and the representativeness picture).

Reviewed by hand: new tables only; the downgrade drops them in reverse order.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 13:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'polls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('notice_version', sa.String(length=32), nullable=False),
        sa.Column('retain_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_polls_consultation_id_consultations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
        sa.UniqueConstraint('consultation_id', name=op.f('uq_polls_consultation_id')),
    )
    op.create_table(
        'poll_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('prompt', sa.String(length=300), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.CheckConstraint('position BETWEEN 1 AND 10', name=op.f('ck_poll_questions_position_range')),
        sa.CheckConstraint("kind IN ('single', 'multi', 'scale')", name=op.f('ck_poll_questions_kind_valid')),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_questions_poll_id_polls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_questions')),
        sa.UniqueConstraint('poll_id', 'position', name='uq_poll_questions_position'),
    )
    op.create_table(
        'poll_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('demographics', sa.JSON(), nullable=True),
        sa.Column('notice_version', sa.String(length=32), nullable=True),
        sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_responses_poll_id_polls')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_responses_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_responses')),
        sa.UniqueConstraint('poll_id', 'user_id', name='uq_poll_responses_user'),
    )
    op.create_table(
        'population_margins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('feature', sa.String(length=60), nullable=False),
        sa.Column('share', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint('share >= 0 AND share <= 100', name=op.f('ck_population_margins_share_range')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_population_margins_consultation_id_consultations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_population_margins')),
        sa.UniqueConstraint('consultation_id', 'category', 'feature', name='uq_population_margin'),
    )


def downgrade():
    op.drop_table('population_margins')
    op.drop_table('poll_responses')
    op.drop_table('poll_questions')
    op.drop_table('polls')
