"""plans: another agency's consultation is linked only with that agency's consent

A plan's link lets the plan's agencies read the consultation's themes and draft responses, so
linking a consultation of another agency becomes a request that agency accepts or declines.
Existing links to another agency's consultation become pending requests (nothing is readable
through them until that agency accepts).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05 10:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_link_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f('ck_plan_link_requests_status_valid')),
    sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name=op.f('ck_plan_link_requests_decided_when_not_pending')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_plan_link_requests_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_plan_link_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_link_requests_plan_id_plans')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_plan_link_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_link_requests')),
    sa.UniqueConstraint('plan_id', 'consultation_id', name='uq_plan_link_requests_pair')
    )
    with op.batch_alter_table('plan_link_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_link_requests_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_link_requests_plan_id'), ['plan_id'], unique=False)

    # Links made before consent existed: another agency's consultation becomes a pending request.
    cross = (
        "SELECT pc.plan_id, pc.consultation_id FROM plan_consultations pc "
        "JOIN plans p ON p.id = pc.plan_id JOIN consultations c ON c.id = pc.consultation_id "
        "WHERE c.agency_id <> p.lead_agency_id"
    )
    op.execute(
        "INSERT INTO plan_link_requests (plan_id, consultation_id, status, created_at) "
        f"SELECT plan_id, consultation_id, 'pending', CURRENT_TIMESTAMP FROM ({cross}) AS x"
    )
    op.execute(
        "DELETE FROM plan_consultations WHERE id IN (SELECT pc.id FROM plan_consultations pc "
        "JOIN plans p ON p.id = pc.plan_id JOIN consultations c ON c.id = pc.consultation_id "
        "WHERE c.agency_id <> p.lead_agency_id)"
    )


def downgrade():
    # Accepted requests are plain links already; pending and declined ones grant nothing.
    with op.batch_alter_table('plan_link_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_link_requests_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_link_requests_consultation_id'))

    op.drop_table('plan_link_requests')
