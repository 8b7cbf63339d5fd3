"""Referees' answers so far, saved page by page and sealed like answers, until they send them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response_draft',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('referee_id', sa.String(length=32), nullable=False),
    sa.Column('data_key_id', sa.String(length=32), nullable=False),
    sa.Column('question_set_id', sa.Integer(), nullable=False),
    sa.Column('answers_enc', sa.LargeBinary(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_response_draft_data_key_id_data_key')),
    sa.ForeignKeyConstraint(['question_set_id'], ['question_set.id'], name=op.f('fk_response_draft_question_set_id_question_set')),
    sa.ForeignKeyConstraint(['referee_id'], ['referee.id'], name=op.f('fk_response_draft_referee_id_referee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_draft')),
    sa.UniqueConstraint('referee_id', name=op.f('uq_response_draft_referee_id'))
    )


def downgrade():
    op.drop_table('response_draft')
