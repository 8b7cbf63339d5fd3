"""The language each released report is written in.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    # Every report before this revision was written in English.
    with op.batch_alter_table('report') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade():
    with op.batch_alter_table('report') as batch_op:
        batch_op.drop_column('language')
