"""Seconds spent in each stage, and from opening to release, as integers the metrics can sum.

The metrics' indexes on cases and referees grow to hold what they count, so counting reads no rows,
and the few declined referees and consents get indexes of their own, newest first.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The stages and the way time in each is counted, as they were when this migration was written
# (refcheck.stats), so that later changes there cannot change what this migration does.
STAGES = ('awaiting_consent', 'nominating', 'collecting', 'review', 'candidate_review')
_ORDER = {state: rank for rank, state in enumerate(
    ('draft', *STAGES, 'released', 'declined', 'withdrawn', 'cancelled'))}
COLUMNS = [f'seconds_{stage}' for stage in STAGES] + ['seconds_to_release']
BATCH = 2000


def _aware(value):
    # SQLite returns these columns as naive UTC strings or datetimes; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def stage_durations(stage_times):
    entered = sorted((dt.datetime.fromisoformat(at), _ORDER.get(state, len(_ORDER)), state)
                     for state, at in stage_times.items())
    return {state: max(0.0, (end - start).total_seconds())
            for (start, _rank, state), (end, _next_rank, _next) in zip(entered, entered[1:])
            if state in STAGES}


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    conn = op.get_bind()
    cases = sa.table('case', sa.column('id', sa.Integer), sa.column('state', sa.String),
                     sa.column('stage_times', sa.JSON), sa.column('created_at', sa.DateTime),
                     sa.column('state_changed_at', sa.DateTime),
                     *(sa.column(name, sa.Integer) for name in COLUMNS))
    update = sa.update(cases).where(cases.c.id == sa.bindparam('case_id')).values(
        {name: sa.bindparam(f'new_{name}') for name in COLUMNS})
    last = 0
    while True:
        rows = conn.execute(sa.select(cases.c.id, cases.c.state, cases.c.stage_times, cases.c.created_at,
                                      cases.c.state_changed_at)
                            .where(cases.c.id > last).order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            break
        values = []
        for case_id, state, stage_times, created_at, changed_at in rows:
            spent = stage_durations(stage_times or {})
            row = {'case_id': case_id}
            for stage in STAGES:
                row[f'new_seconds_{stage}'] = round(spent[stage]) if stage in spent else None
            created_at, changed_at = _aware(created_at), _aware(changed_at)
            row['new_seconds_to_release'] = (
                max(0, round((changed_at - created_at).total_seconds()))
                if state == 'released' and created_at and changed_at else None)
            values.append(row)
        conn.execute(update, values)
        last = rows[-1][0]
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created')
        batch_op.create_index('ix_case_created_pace', ['created_at', 'state', *COLUMNS], unique=False)
    with op.batch_alter_table('referee', schema=None) as batch_op:
        batch_op.drop_index('ix_referee_case_state')
        batch_op.create_index('ix_referee_case_progress',
                              ['case_id', 'state', 'invited_at', 'finished_at', 'reminders_sent'], unique=False)
        batch_op.create_index('ix_referee_declined', ['finished_at'], unique=False,
                              sqlite_where=sa.text("state = 'declined'"),
                              postgresql_where=sa.text("state = 'declined'"))
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_declined', ['decided_at'], unique=False,
                              sqlite_where=sa.text("decision = 'declined'"),
                              postgresql_where=sa.text("decision = 'declined'"))


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_declined')
    with op.batch_alter_table('referee', schema=None) as batch_op:
        batch_op.drop_index('ix_referee_declined')
        batch_op.drop_index('ix_referee_case_progress')
        batch_op.create_index('ix_referee_case_state', ['case_id', 'state'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created_pace')
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
