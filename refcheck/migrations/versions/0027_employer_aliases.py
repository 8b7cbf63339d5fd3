"""Employers' other names that staff confirm (former names, parents, trading names), for cross-verification.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employer_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('same_as', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('same_as_key', sa.String(length=200), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'],
                            name=op.f('fk_employer_alias_created_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_alias')),
    sa.UniqueConstraint('name_key', 'same_as_key', name=op.f('uq_employer_alias_name_key'))
    )


def downgrade():
    op.drop_table('employer_alias')
