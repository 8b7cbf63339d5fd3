"""Optional experience answers after consent, release and a referee's submission.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('experience_answer',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('respondent', sa.String(length=80), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('data_key_id', sa.String(length=32), nullable=True),
    sa.Column('moment', sa.String(length=20), nullable=False),
    sa.Column('hiring_organisation', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment_enc', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_experience_answer_case_id_case')),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_experience_answer_data_key_id_data_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_answer')),
    sa.UniqueConstraint('respondent', name=op.f('uq_experience_answer_respondent'))
    )
    with op.batch_alter_table('experience_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experience_answer_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_experience_answer_moment_created', ['moment', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('experience_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_experience_answer_moment_created')
        batch_op.drop_index(batch_op.f('ix_experience_answer_case_id'))
    op.drop_table('experience_answer')
