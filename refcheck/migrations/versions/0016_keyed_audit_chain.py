"""The audit chain is keyed: every event's hash becomes an HMAC under a key the database does not hold.

The whole chain is hashed again in id order (its content is unchanged) and its head is written to
the key store as the first checkpoint. Downgrading hashes it again with plain SHA-256. Run through
`flask db upgrade`, which has the app's keys; the key is derived from the look-up key.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:00:00.000000

"""
import datetime as dt
import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 1000


def upgrade():
    from flask import current_app

    from refcheck import keystore

    key = current_app.extensions["refcheck.keyring"].chain_key
    head = _rehash(lambda text: hmac.new(key, text, hashlib.sha256).hexdigest())
    if head is not None:
        keystore.set_checkpoint(*head, dt.datetime.now(dt.UTC))


def downgrade():
    _rehash(lambda text: hashlib.sha256(text).hexdigest())


def _rehash(digest):
    """Hash every event again in id order with `digest`; return the new head (id, hash), if any."""
    bind = op.get_bind()
    events = sa.table("audit_event", sa.column("id"), sa.column("at"), sa.column("actor"),
                      sa.column("case_id"), sa.column("action"), sa.column("details", sa.JSON),
                      sa.column("prev_hash"), sa.column("hash"))
    previous, last_id, head = GENESIS, 0, None
    while True:
        rows = bind.execute(sa.select(events).where(events.c.id > last_id).order_by(events.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return head
        for row in rows:
            # The same payload refcheck.audit.event_hash hashes, kept here as it was when this ran.
            at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
            at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
            payload = {"at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "actor": row.actor, "case_id": row.case_id,
                       "action": row.action, "details": row.details, "prev": previous}
            text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            new = digest(text)
            # Old hashes are unique too: each is written once, after the one before it moved on.
            bind.execute(sa.update(events).where(events.c.id == row.id).values(prev_hash=previous, hash=new))
            previous, last_id, head = new, row.id, (row.id, new)
