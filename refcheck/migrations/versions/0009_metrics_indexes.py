"""Indexes for the staff metrics: cases by the period they were opened in, and by organisation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 15:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)
        batch_op.create_index('ix_case_organisation_created', ['hiring_organisation', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_organisation_created')
        batch_op.drop_index('ix_case_created')
