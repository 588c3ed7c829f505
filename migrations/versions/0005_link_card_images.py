"""link previews: the card image itself, served from this site

Card images were shown from the third party's address, so every reader's browser contacted it.
The server now fetches the image once with the link-card fetcher (raster formats only, checked
by signature) and serves it from /link-images/<id>. Plain ADD COLUMN / DROP COLUMN.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'link_previews',
        sa.Column('image_type', sa.String(length=32), nullable=False, server_default=''),
    )
    op.add_column('link_previews', sa.Column('image_data', sa.LargeBinary(), nullable=True))


def downgrade():
    op.drop_column('link_previews', 'image_data')
    op.drop_column('link_previews', 'image_type')
