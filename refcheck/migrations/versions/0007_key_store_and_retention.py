"""Split data keys (their share lives in the key store) and each case's erasure date.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('data_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erase_after', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_erase_after'), ['erase_after'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_erase_after'))
        batch_op.drop_column('erase_after')
    with op.batch_alter_table('data_key', schema=None) as batch_op:
        batch_op.drop_column('split')
