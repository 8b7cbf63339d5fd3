"""Two-step sign-in for staff: authenticator apps (sealed secrets), recovery codes, step-up on sessions.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('two_factor',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('data_key_id', sa.String(length=32), nullable=False),
    sa.Column('secret_enc', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_two_factor_data_key_id_data_key')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_two_factor_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor'))
    )
    op.create_index(op.f('ix_two_factor_staff_user_id'), 'two_factor', ['staff_user_id'], unique=False)
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_recovery_code_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    op.create_index(op.f('ix_recovery_code_staff_user_id'), 'recovery_code', ['staff_user_id'], unique=False)
    with op.batch_alter_table('staff_user') as batch_op:
        batch_op.add_column(sa.Column('two_factor_declined_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('portal_session') as batch_op:
        batch_op.add_column(sa.Column('stepped_up_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('portal_session') as batch_op:
        batch_op.drop_column('stepped_up_at')
    with op.batch_alter_table('staff_user') as batch_op:
        batch_op.drop_column('two_factor_declined_at')
    op.drop_index(op.f('ix_recovery_code_staff_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_index(op.f('ix_two_factor_staff_user_id'), table_name='two_factor')
    op.drop_table('two_factor')
