"""Install the shipped question sets "standard-v1" (manager, peer, direct report, anyone else).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from refcheck.question_sets import install_standard_v1

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    install_standard_v1(op.get_bind())


def downgrade():
    op.execute("DELETE FROM question WHERE question_set_id IN "
               "(SELECT id FROM question_set WHERE key = 'standard' AND version = 1)")
    op.execute("DELETE FROM question_set WHERE key = 'standard' AND version = 1")
