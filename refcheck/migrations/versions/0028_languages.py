"""Each person's language: the candidate's and each referee's, the consent's, the answers', the question sets'.

A question set may now be a translation of another (same key, version and relationship, another
language); the shipped standard-v1 sets get their Spanish and French translations.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from refcheck.standard_translations import install_standard_translations


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

# Everything before this revision was written and read in English.
TABLES = ('candidate', 'referee', 'consent', 'response')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    with op.batch_alter_table('question_set') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('translation_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_question_set_translation_of_id_question_set'),
                                    'question_set', ['translation_of_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_question_set_translation_of_id'), ['translation_of_id'])
        batch_op.drop_constraint('uq_question_set_key_version_relationship', type_='unique')
        batch_op.create_unique_constraint('uq_question_set_key_version_relationship_language',
                                          ['key', 'version', 'relationship', 'language'])
    install_standard_translations(op.get_bind())


def downgrade():
    op.execute(sa.text("DELETE FROM question WHERE question_set_id IN "
                       "(SELECT id FROM question_set WHERE translation_of_id IS NOT NULL)"))
    op.execute(sa.text("DELETE FROM question_set WHERE translation_of_id IS NOT NULL"))
    with op.batch_alter_table('question_set') as batch_op:
        batch_op.drop_constraint('uq_question_set_key_version_relationship_language', type_='unique')
        batch_op.create_unique_constraint('uq_question_set_key_version_relationship',
                                          ['key', 'version', 'relationship'])
        batch_op.drop_index(batch_op.f('ix_question_set_translation_of_id'))
        batch_op.drop_constraint(batch_op.f('fk_question_set_translation_of_id_question_set'), type_='foreignkey')
        batch_op.drop_column('translation_of_id')
        batch_op.drop_column('language')
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('language')
