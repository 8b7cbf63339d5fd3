"""Keep the fingerprints of released reports whose case was erased, so /verify can still vouch for them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erased_report',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_erased_report'))
    )
    with op.batch_alter_table('erased_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erased_report_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('erased_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erased_report_sha256'))
    op.drop_table('erased_report')
