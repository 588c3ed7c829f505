"""consultations: theme settings for their analysis runs

Staff can fix the number of themes or give seed themes (guided mode) per consultation; every
later run uses them. One nullable JSON column; NULL means automatic and unguided, as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('consultations', sa.Column('analysis_settings', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('consultations', 'analysis_settings')
