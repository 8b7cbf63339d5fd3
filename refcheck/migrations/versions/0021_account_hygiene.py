"""Account hygiene: failed sign-ins counted per account and per address, and a device description per session.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('wait_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_failures'))
    )
    op.create_index(op.f('ix_sign_in_failures_last_failed_at'), 'sign_in_failures', ['last_failed_at'],
                    unique=False)
    # A nullable column: adding it rewrites nothing, and sessions started before it show no device.
    with op.batch_alter_table('portal_session') as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('portal_session') as batch_op:
        batch_op.drop_column('device')
    op.drop_index(op.f('ix_sign_in_failures_last_failed_at'), table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
