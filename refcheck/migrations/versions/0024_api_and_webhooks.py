"""The API and its webhooks: keys, idempotent orders, check events, endpoints and deliveries.

A case may now be ordered by a hiring system's key (no member of staff opened it) and carries the
system's own reference.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_api_key_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    op.create_index(op.f('ix_api_key_organisation_id'), 'api_key', ['organisation_id'], unique=False)
    op.create_table('idempotent_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_idempotent_request_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_request')),
    sa.UniqueConstraint('api_key_id', 'key', name='uq_idempotent_request_key')
    )
    op.create_index(op.f('ix_idempotent_request_created_at'), 'idempotent_request', ['created_at'], unique=False)
    op.create_table('check_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_check_event_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_event')),
    sa.UniqueConstraint('public_id', name=op.f('uq_check_event_public_id'))
    )
    op.create_index(op.f('ix_check_event_case_id'), 'check_event', ['case_id'], unique=False)
    op.create_index('ix_check_event_organisation', 'check_event', ['organisation_id', 'id'], unique=False)
    op.create_table('webhook_endpoint',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('data_key_id', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret_enc', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_webhook_endpoint_data_key_id_data_key')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_webhook_endpoint_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    op.create_index(op.f('ix_webhook_endpoint_organisation_id'), 'webhook_endpoint', ['organisation_id'],
                    unique=False)
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'],
                            name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['check_event.id'], name=op.f('fk_webhook_delivery_event_id_check_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery'))
    )
    op.create_index(op.f('ix_webhook_delivery_event_id'), 'webhook_delivery', ['event_id'], unique=False)
    op.create_index('ix_webhook_delivery_order', 'webhook_delivery', ['endpoint_id', 'case_id', 'event_id'],
                    unique=False)
    op.create_index('ix_webhook_delivery_pending', 'webhook_delivery', ['delivered_at', 'next_attempt_at'],
                    unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('client_reference', sa.String(length=100), nullable=True))
        batch_op.alter_column('created_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_case_api_key_id_api_key'), 'api_key', ['api_key_id'], ['id'])
        batch_op.create_index('ix_case_client_reference', ['organisation_id', 'client_reference'], unique=False)
        batch_op.create_index('ix_case_organisation_listed', ['organisation_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_organisation_listed')
        batch_op.drop_index('ix_case_client_reference')
        batch_op.drop_constraint(batch_op.f('fk_case_api_key_id_api_key'), type_='foreignkey')
        batch_op.alter_column('created_by_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('client_reference')
        batch_op.drop_column('api_key_id')
    op.drop_index('ix_webhook_delivery_pending', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_order', table_name='webhook_delivery')
    op.drop_index(op.f('ix_webhook_delivery_event_id'), table_name='webhook_delivery')
    op.drop_table('webhook_delivery')
    op.drop_index(op.f('ix_webhook_endpoint_organisation_id'), table_name='webhook_endpoint')
    op.drop_table('webhook_endpoint')
    op.drop_index('ix_check_event_organisation', table_name='check_event')
    op.drop_index(op.f('ix_check_event_case_id'), table_name='check_event')
    op.drop_table('check_event')
    op.drop_index(op.f('ix_idempotent_request_created_at'), table_name='idempotent_request')
    op.drop_table('idempotent_request')
    op.drop_index(op.f('ix_api_key_organisation_id'), table_name='api_key')
    op.drop_table('api_key')
