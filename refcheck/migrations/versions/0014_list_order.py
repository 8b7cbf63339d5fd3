"""The case list's order in an index: newest first by (created_at, id), with and without a state.

A deep page of the list skips the cases before it in the index alone, without reading their rows;
the list's counts by state read a narrow index of the state alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_created_id', ['created_at', 'id'], unique=False)
        batch_op.drop_index('ix_case_state_created')
        batch_op.create_index('ix_case_state_created', ['state', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_case_state', ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_state')
        batch_op.drop_index('ix_case_state_created')
        batch_op.create_index('ix_case_state_created', ['state', 'created_at'], unique=False)
        batch_op.drop_index('ix_case_created_id')
