"""Case-folded copies of each case's position and organisation, indexed for staff search.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 16:15:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def _key(text):
    return unicodedata.normalize("NFKC", text or "").strip().casefold()[:200]


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_key', KEY, server_default='', nullable=False))
        batch_op.add_column(sa.Column('organisation_key', KEY, server_default='', nullable=False))
    conn = op.get_bind()
    cases = sa.table('case', sa.column('id', sa.Integer), sa.column('position', sa.String),
                     sa.column('hiring_organisation', sa.String), sa.column('position_key', sa.String),
                     sa.column('organisation_key', sa.String))
    rows = conn.execute(sa.select(cases.c.id, cases.c.position, cases.c.hiring_organisation)).all()
    for case_id, position, organisation in rows:
        conn.execute(sa.update(cases).where(cases.c.id == case_id).values(
            position_key=_key(position), organisation_key=_key(organisation)))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_position_key'), ['position_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_organisation_key'), ['organisation_key'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_organisation_key'))
        batch_op.drop_index(batch_op.f('ix_case_position_key'))
        batch_op.drop_column('organisation_key')
        batch_op.drop_column('position_key')
