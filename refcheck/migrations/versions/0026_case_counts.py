"""Counts of cases by organisation and state, kept with every change, so the case list need not count.

The table is filled from the cases there are; from then on the app keeps it (refcheck/case_counts.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_count',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_case_count_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('organisation_id', 'state', name=op.f('pk_case_count'))
    )
    op.execute('INSERT INTO case_count (organisation_id, state, count) '
               'SELECT organisation_id, state, count(*) FROM "case" GROUP BY organisation_id, state')


def downgrade():
    op.drop_table('case_count')
