"""Seal staff's delay reasons and fraud-signal notes under the case's key.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # The clear columns stay for values written before this revision; they are cleared on the next change.
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delay_reason_enc', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('fraud_signal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_note_enc', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('fraud_signal', schema=None) as batch_op:
        batch_op.drop_column('resolved_note_enc')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('delay_reason_enc')
