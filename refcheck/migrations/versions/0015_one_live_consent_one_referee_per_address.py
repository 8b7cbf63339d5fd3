"""Uniqueness the database itself keeps: one live consent per case, one active referee per address per case.

The case commands take the case's lock before they count, so these never fire in normal use; they
stop a duplicate that something missing the lock would store. Twins a race stored before this
migration are resolved first: a consent recorded twice for the same scope keeps its latest record
(the one the candidate's pages and receipt showed), and a referee named twice keeps the one who
answered (or else the first named); the others are revoked, their links and sessions ended.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00.000000

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('nominated', 'invited', 'opened', 'submitted')"


def upgrade():
    bind = op.get_bind()
    _keep_latest_consents(bind)
    _keep_one_referee_per_address(bind)
    op.create_index('uq_consent_live', 'consent', ['case_id'], unique=True,
                    sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))
    op.create_index('uq_referee_live_email', 'referee', ['case_id', 'email_hash'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index('uq_referee_live_email', table_name='referee')
    op.drop_index('uq_consent_live', table_name='consent')


def _keep_latest_consents(bind):
    """Delete a case's earlier live consents when they record the same decision on the same scope."""
    rows = bind.execute(sa.text(
        "SELECT id, case_id, decision, scope_sha256 FROM consent WHERE withdrawn_at IS NULL "
        "AND case_id IN (SELECT case_id FROM consent WHERE withdrawn_at IS NULL "
        "GROUP BY case_id HAVING count(*) > 1) ORDER BY case_id, decided_at DESC, id DESC")).all()
    first = {}
    for row in rows:
        kept = first.setdefault(row.case_id, row)
        if kept is row:
            continue
        if (row.decision, row.scope_sha256) != (kept.decision, kept.scope_sha256):
            raise RuntimeError(f"Case {row.case_id} has two different live consent decisions; "
                               "resolve them by hand before upgrading.")
        bind.execute(sa.text("DELETE FROM consent WHERE id = :id"), {"id": row.id})


def _keep_one_referee_per_address(bind):
    """Revoke all but one active referee per address in a case: the one who answered, else the first."""
    rows = bind.execute(sa.text(
        f"SELECT id, case_id, email_hash, state FROM referee WHERE {ACTIVE} "
        f"AND (case_id, email_hash) IN (SELECT case_id, email_hash FROM referee WHERE {ACTIVE} "
        "GROUP BY case_id, email_hash HAVING count(*) > 1) ORDER BY nominated_at, id")).all()
    groups = {}
    for row in rows:
        groups.setdefault((row.case_id, row.email_hash), []).append(row)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None) if bind.dialect.name == "sqlite" else dt.datetime.now(dt.UTC)
    for group in groups.values():
        keep = next((row for row in group if row.state == "submitted"), group[0])
        for row in group:
            if row is not keep:
                bind.execute(sa.text("UPDATE referee SET state = 'revoked', finished_at = :now WHERE id = :id"),
                             {"id": row.id, "now": now})
                bind.execute(sa.text("UPDATE access_link SET revoked_at = :now "
                                     "WHERE referee_id = :id AND revoked_at IS NULL"), {"id": row.id, "now": now})
                bind.execute(sa.text("UPDATE portal_session SET ended_at = :now "
                                     "WHERE referee_id = :id AND ended_at IS NULL"), {"id": row.id, "now": now})
