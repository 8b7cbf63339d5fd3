"""The audit chain is keyed: every event's hash becomes an HMAC under a key the database does not hold.

The chain is first checked as it stands (plain SHA-256): a chain already broken is not re-hashed,
since that would make the break invisible; the upgrade stops and names the event. Then every
event is hashed again in id order (its content is unchanged) and the head is written to the key
store as the first checkpoint, just before this migration commits (should the commit fail, `audit
verify` reports the mismatch rather than hiding anything). Downgrading hashes it again with plain
SHA-256. Run through `flask db upgrade`, which has the app's keys; the key derives from the look-up key.

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
    _hold_the_chain()
    _rehash(_plain, check_only=True)
    head = _rehash(lambda text: hmac.new(key, text, hashlib.sha256).hexdigest())
    if head is not None:
        keystore.set_checkpoint(*head, dt.datetime.now(dt.UTC))


def downgrade():
    _hold_the_chain()
    _rehash(_plain)


def _plain(text):
    return hashlib.sha256(text).hexdigest()


def _hold_the_chain():
    """Take the lock every audit write takes on PostgreSQL, so no worker extends the chain meanwhile."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("SELECT pg_advisory_xact_lock(7262010)"))


def _rehash(digest, check_only=False):
    """Hash every event again in id order with `digest`; return the new head (id, hash), if any.

    With `check_only`, change nothing: refuse, naming the event, if the chain does not verify as it is.
    """
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
            if check_only:
                if row.prev_hash != previous or row.hash != new:
                    raise RuntimeError(
                        f"The audit chain is already broken at event {row.id}, so it is not re-hashed (that "
                        "would hide the break). Run `flask audit verify` on the version before this one, "
                        "investigate, and restore the log from a backup before upgrading.")
            else:
                # Old hashes are unique too: each is written once, after the one before it moved on.
                bind.execute(sa.update(events).where(events.c.id == row.id).values(prev_hash=previous, hash=new))
            previous, last_id, head = new, row.id, (row.id, new)
