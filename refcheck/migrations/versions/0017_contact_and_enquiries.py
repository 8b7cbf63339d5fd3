"""Each case names the verifier the candidate may ask, and the candidate's questions and concerns are kept.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_contact_id_staff_user'), 'staff_user', ['contact_id'],
                                    ['id'])
    op.create_table(
        'enquiry',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('data_key_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('text_enc', sa.LargeBinary(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer_by', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer_enc', sa.LargeBinary(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['staff_user.id'],
                                name=op.f('fk_enquiry_answered_by_id_staff_user')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_enquiry_case_id_case')),
        sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_enquiry_data_key_id_data_key')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry')),
    )
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.create_index('ix_enquiry_case_open', ['case_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_enquiry_open_due', ['answered_at', 'answer_by'], unique=False)


def downgrade():
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_enquiry_open_due')
        batch_op.drop_index('ix_enquiry_case_open')
    op.drop_table('enquiry')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_contact_id_staff_user'), type_='foreignkey')
        batch_op.drop_column('contact_id')
