"""The key store: each data key's share, written and destroyed in transactions of its own.

The key store is a separate database, so its transactions are ordered by hand: a share
is committed before the main database ever refers to it, and destroyed only after the
main database has committed the erasure. Whatever fails in between leaves at most a
share that nothing uses, which `sweep_orphans` removes later; never a case that cannot
be read, and never an erased case whose share survives unnoticed.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import crypto
from .columns import UTCDateTime, utcnow
from .extensions import db

_PENDING = "refcheck.shares_to_destroy"
log = logging.getLogger(__name__)


class KeyShare(db.Model):
    """The half of a data key's wrapping that lives in the key store, outside the main database.

    Deleting a share is what erases a case: a backup of the main database holds the
    wrapped key but not its share, so it cannot be read again.
    """

    __bind_key__ = "keys"
    __tablename__ = "key_share"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    share: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def _engine() -> sa.Engine:
    """Return the key store's engine."""
    return db.engines["keys"]


def store_share(key_id: str, now: dt.datetime | None = None) -> bytes:
    """Create and commit a fresh share for a data key, before anything in the main database uses it."""
    share = crypto.new_share()
    with Session(_engine()) as session, session.begin():
        session.add(KeyShare(id=key_id, share=share, created_at=now or utcnow()))
    return share


def destroy_after_commit(key_id: str) -> None:
    """Destroy a share once the main database has committed the transaction under way."""
    db.session.info.setdefault(_PENDING, []).append(key_id)


def destroy_shares(key_ids: list[str]) -> int:
    """Delete shares in a transaction of their own; return how many were deleted."""
    if not key_ids:
        return 0
    engine = _engine()
    with Session(engine) as session, session.begin():
        deleted = session.execute(sa.delete(KeyShare).where(KeyShare.id.in_(key_ids))).rowcount
    if engine.dialect.name == "sqlite":
        # Move the deletion out of the write-ahead log into the database file, where secure_delete
        # has overwritten the share, so no copy of it lingers in the -wal file.
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted


@event.listens_for(Session, "after_commit")
def _destroy_pending(session: Session) -> None:
    """Destroy the shares an erasure scheduled, now that the erasure is committed."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        try:
            destroy_shares(pending)
        except sa.exc.SQLAlchemyError as err:
            # The case is erased in the main database already; the share is now an orphan that
            # `retention purge` sweeps and `keys status` reports. Say so, without the key ids.
            log.error("Could not destroy %d key shares after an erasure (%s); the next "
                      "`retention purge` will.", len(pending), type(err).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    """Keep the shares of an erasure that did not happen."""
    session.info.pop(_PENDING, None)


def ensure_table() -> None:
    """Create the key store's table if it is missing, tolerating another server doing it at once."""
    try:
        db.create_all(bind_key="keys")
    except sa.exc.DBAPIError:
        # Several app servers starting together: one creates it, the others find it there.
        if not sa.inspect(_engine()).has_table(KeyShare.__tablename__):
            raise
