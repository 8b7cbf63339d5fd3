"""Indexes on every column an erasure's deletes follow: each table's data key, and an order's record.

Erasing a case deletes its data key, and the database then looks in every table that refers to it;
without an index each look is a scan of the whole table, so an erasure cost more as the service grew.
On PostgreSQL the indexes are built CONCURRENTLY, outside the migration's transaction, so the app's
writers are not blocked meanwhile; an index a stopped build left invalid is dropped and built again.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

INDEXED = (
    ('candidate', 'data_key_id'), ('case', 'data_key_id'), ('two_factor', 'data_key_id'),
    ('claim', 'data_key_id'), ('consent', 'data_key_id'), ('enquiry', 'data_key_id'),
    ('experience_answer', 'data_key_id'), ('finding', 'data_key_id'), ('outbox', 'data_key_id'),
    ('referee', 'data_key_id'), ('report', 'data_key_id'), ('staff_note', 'data_key_id'),
    ('reply', 'data_key_id'), ('response', 'data_key_id'), ('response_draft', 'data_key_id'),
    ('webhook_endpoint', 'data_key_id'), ('idempotent_request', 'case_id'),
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for table, column in INDEXED:
            op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)
        return
    with op.get_context().autocommit_block():
        for table, column in INDEXED:
            name = f'ix_{table}_{column}'
            state = op.get_bind().execute(sa.text(
                'SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid '
                'WHERE c.relname = :name'), {'name': name}).scalar_one_or_none()
            if state is True:
                continue  # built by an earlier run that stopped after it
            if state is False:
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
            op.create_index(op.f(name), table, [column], unique=False, postgresql_concurrently=True)


def downgrade():
    for table, column in reversed(INDEXED):
        op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
