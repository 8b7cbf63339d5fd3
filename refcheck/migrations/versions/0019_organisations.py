"""Hiring organisations as rows: each case belongs to one, packages and client accounts too.

Existing cases get one organisation per distinct hiring organisation name (compared case-folded, as
staff search compares them). On PostgreSQL the case table is never locked for long: the new columns
are added without a default (no rewrite), filled in batches that each commit on their own, indexed
concurrently, and constrained first NOT VALID and then validated, which lets writes go on.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:30:00.000000

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BATCH = 5000
SEARCH_KEY = sa.String(200).with_variant(sa.String(200, collation='C'), 'postgresql')


def upgrade():
    op.create_table(
        'organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', SEARCH_KEY, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
        sa.UniqueConstraint('name_key', name=op.f('uq_organisation_name_key')),
    )
    op.create_table(
        'package',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('scope', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_package_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_package')),
        sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_package_organisation_id')),
    )
    op.create_table(
        'staff_organisation',
        sa.Column('staff_user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_staff_organisation_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'],
                                name=op.f('fk_staff_organisation_staff_user_id_staff_user')),
        sa.PrimaryKeyConstraint('staff_user_id', 'organisation_id', name=op.f('pk_staff_organisation')),
    )
    op.create_index(op.f('ix_staff_organisation_organisation_id'), 'staff_organisation', ['organisation_id'])
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('org_admin', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('all_organisations', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_staff_user_organisation_id'), ['organisation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_staff_user_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
    staff = sa.table('staff_user', sa.column('role', sa.String), sa.column('all_organisations', sa.Boolean))
    # Verifiers saw every case before organisations existed; they keep doing so until an admin assigns them.
    op.execute(staff.update().where(staff.c.role == 'verifier').values(all_organisations=True))

    if op.get_bind().dialect.name == 'postgresql':
        _case_columns_postgresql()
    else:
        _case_columns_sqlite()


def _fill_organisations(execute):
    """Add one organisation per distinct case-folded name, and point each case at its own, in batches."""
    now = dt.datetime.now(dt.UTC)
    cases = sa.table('case', sa.column('id', sa.Integer), sa.column('hiring_organisation', sa.String),
                     sa.column('organisation_key', sa.String), sa.column('organisation_id', sa.Integer))
    organisations = sa.table('organisation', sa.column('id', sa.Integer), sa.column('name', sa.String),
                             sa.column('name_key', sa.String), sa.column('created_at', sa.DateTime))
    # The first spelling in case order names the organisation; the key is what makes two spellings one.
    names = execute(sa.select(cases.c.organisation_key, sa.func.min(cases.c.hiring_organisation))
                    .group_by(cases.c.organisation_key)).all()
    if names:
        execute(organisations.insert(), [{'name': name, 'name_key': key, 'created_at': now}
                                         for key, name in names])
    top = execute(sa.select(sa.func.max(cases.c.id))).scalar() or 0
    own = (sa.select(organisations.c.id).where(organisations.c.name_key == cases.c.organisation_key)
           .scalar_subquery())
    for start in range(0, top, BATCH):
        execute(cases.update().where(cases.c.id > start, cases.c.id <= start + BATCH,
                                     cases.c.organisation_id.is_(None)).values(organisation_id=own))


def _case_columns_sqlite():
    """SQLite: one writer at a time anyway, so the table is simply rebuilt with its new columns."""
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('package_id', sa.Integer(), nullable=True))
    _fill_organisations(op.get_bind().execute)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_case_organisation_id'), ['organisation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_package_id_package'), 'package', ['package_id'], ['id'])


def _case_columns_postgresql():
    """PostgreSQL: short locks only, so cases can be read and written while this runs."""
    # Nullable, no default: a change to the catalogue only, not a rewrite of the table.
    op.add_column('case', sa.Column('organisation_id', sa.Integer(), nullable=True))
    op.add_column('case', sa.Column('package_id', sa.Integer(), nullable=True))
    with op.get_context().autocommit_block():
        # Each statement below commits on its own: a batch of cases is locked only while it is filled.
        _fill_organisations(op.get_bind().execute)
        op.execute('CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_case_organisation_id ON "case" (organisation_id)')
        # NOT VALID takes a brief lock; validating reads the table while writes go on.
        op.execute('ALTER TABLE "case" ADD CONSTRAINT fk_case_organisation_id_organisation '
                   'FOREIGN KEY (organisation_id) REFERENCES organisation (id) NOT VALID')
        op.execute('ALTER TABLE "case" VALIDATE CONSTRAINT fk_case_organisation_id_organisation')
        op.execute('ALTER TABLE "case" ADD CONSTRAINT fk_case_package_id_package '
                   'FOREIGN KEY (package_id) REFERENCES package (id) NOT VALID')
        op.execute('ALTER TABLE "case" VALIDATE CONSTRAINT fk_case_package_id_package')
        # SET NOT NULL would scan the table under an exclusive lock, unless a validated check proves it.
        op.execute('ALTER TABLE "case" ADD CONSTRAINT ck_case_organisation_id_present '
                   'CHECK (organisation_id IS NOT NULL) NOT VALID')
        op.execute('ALTER TABLE "case" VALIDATE CONSTRAINT ck_case_organisation_id_present')
        op.execute('ALTER TABLE "case" ALTER COLUMN organisation_id SET NOT NULL')
        op.execute('ALTER TABLE "case" DROP CONSTRAINT ck_case_organisation_id_present')


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_package_id_package'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_organisation_id'))
        batch_op.drop_column('package_id')
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_user_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_user_organisation_id'))
        batch_op.drop_column('all_organisations')
        batch_op.drop_column('org_admin')
        batch_op.drop_column('organisation_id')
    op.drop_index(op.f('ix_staff_organisation_organisation_id'), table_name='staff_organisation')
    op.drop_table('staff_organisation')
    op.drop_table('package')
    op.drop_table('organisation')
