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
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import crypto
from .columns import UTCDateTime, rows_changed, utcnow
from .extensions import Model, db

_PENDING = "refcheck.shares_to_destroy"
log = logging.getLogger(__name__)


class KeyShare(Model):
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
        deleted = rows_changed(session.execute(sa.delete(KeyShare).where(KeyShare.id.in_(key_ids))))
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


class AuditCheckpoint(Model):
    """The audit chain's head as last committed: kept outside the main database, so a cut tail shows."""

    __bind_key__ = "keys"
    __tablename__ = "audit_checkpoint"

    # One row: the key store serves one refcheck.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    head_id: Mapped[int]
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Checkpoint:
    """The newest audit event the key store saw committed."""

    head_id: int
    head_hash: str
    at: dt.datetime


def advance_checkpoint(head_id: int, head_hash: str, now: dt.datetime) -> None:
    """Move the checkpoint to a newer head, in a transaction of the key store's own; never move it back.

    Commits from several workers arrive in any order: the newest event's id wins.
    """
    values = {"head_id": head_id, "head_hash": head_hash, "at": now}
    for _ in range(2):
        with Session(_engine()) as session:
            with session.begin():
                moved = rows_changed(session.execute(sa.update(AuditCheckpoint).where(
                    AuditCheckpoint.id == 1, AuditCheckpoint.head_id < head_id).values(**values)))
                if moved or session.get(AuditCheckpoint, 1) is not None:
                    return
            try:
                with session.begin():
                    session.add(AuditCheckpoint(id=1, **values))
                return
            except sa.exc.IntegrityError:
                continue  # another worker wrote the first checkpoint at the same moment: move it on


def advance_checkpoint_from(prev_hash: str, head_id: int, head_hash: str, now: dt.datetime) -> bool:
    """Move the checkpoint on to a new head if it stands at that head's predecessor; say if it did."""
    with Session(_engine()) as session, session.begin():
        return rows_changed(session.execute(sa.update(AuditCheckpoint).where(
            AuditCheckpoint.id == 1, AuditCheckpoint.head_hash == prev_hash, AuditCheckpoint.head_id < head_id
        ).values(head_id=head_id, head_hash=head_hash, at=now))) == 1


def read_checkpoint() -> Checkpoint | None:
    """Return the audit chain's checkpoint, or None when none was ever written."""
    with Session(_engine()) as session:
        row = session.get(AuditCheckpoint, 1)
        return None if row is None else Checkpoint(row.head_id, row.head_hash, row.at)


def set_checkpoint(head_id: int, head_hash: str, now: dt.datetime) -> None:
    """Put the checkpoint at this head whatever it held before: only for a chain rewritten on purpose.

    One statement changes the row (or, the first time, one adds it), so no reader sees it missing.
    """
    values = {"head_id": head_id, "head_hash": head_hash, "at": now}
    with Session(_engine()) as session, session.begin():
        if not rows_changed(session.execute(
                sa.update(AuditCheckpoint).where(AuditCheckpoint.id == 1).values(**values))):
            session.add(AuditCheckpoint(id=1, **values))
