"""Append-only audit log: a keyed hash chain, written in the same transaction as the change it records.

Each event's hash is an HMAC over its content and the hash before it, with a key derived from the
look-up key, which the database never holds: without it no event can be changed, added or removed
in the middle and the chain still verify. After every commit that added events, the chain's head
(the newest event's id and hash) is checkpointed in the key store, a database of its own, so a cut
tail or a chain replaced wholesale is found too. `audit verify` checks both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import keystore
from .extensions import db
from .models import AuditEvent, keyring, utcnow

GENESIS = "0" * 64
# Set in a session's info once its transaction holds the chain's head, until it ends.
HEAD_LOCKED = "refcheck.audit_head_locked"
# The newest event a session's transaction added: checkpointed once the transaction commits.
NEW_HEAD = "refcheck.audit_new_head"
log = logging.getLogger(__name__)
EVENTS = cast(sa.Table, AuditEvent.__table__)


def record(action: str, actor: str, case_id: int | None = None, **details: Any) -> AuditEvent:
    """Append an event to the chain; the caller's transaction commits it with the change."""
    session = db.session
    session.info[HEAD_LOCKED] = True
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Two transactions must not both extend the same head; this lock is held until commit.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(7262010)"))
    elif dialect == "sqlite":
        # SQLite takes its write lock at a transaction's first write; a head read before that can be
        # extended by another process meanwhile. A write that changes nothing takes the lock first.
        session.execute(sa.update(EVENTS).where(sa.false()).values(action=EVENTS.c.action))
    head = session.execute(
        sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        case_id=case_id,
        action=action,
        details=details,
        prev_hash=head or GENESIS,
    )
    event.hash = event_hash(event, keyring().chain_key)
    session.add(event)
    session.flush()
    session.info[NEW_HEAD] = (event.id, event.hash, event.prev_hash)
    return event


@sa.event.listens_for(Session, "after_commit")
def _checkpoint_head(session: Session) -> None:
    """Checkpoint the chain's new head in the key store, now that the events are committed."""
    session.info.pop(HEAD_LOCKED, None)
    head = session.info.pop(NEW_HEAD, None)
    if head is None:
        return
    head_id, head_hash, prev_hash = head
    try:
        # Usually the checkpoint is this event's predecessor: one statement moves it on, and that it
        # matched is the proof the chain still reaches it.
        if keystore.advance_checkpoint_from(prev_hash, head_id, head_hash, utcnow()):
            return
        checkpoint = keystore.read_checkpoint()
        if checkpoint is not None and checkpoint.head_id < head_id and not _reaches(checkpoint):
            # The chain no longer holds the event the key store last saw: it was cut or rewritten. Moving
            # the checkpoint on would hide that, so it stays where `audit verify` will point to it.
            log.error("The audit chain no longer reaches its checkpoint at event %d; the checkpoint stays "
                      "there. Run `flask audit verify`.", checkpoint.head_id)
            return
        keystore.advance_checkpoint(head_id, head_hash, utcnow())
    except sa.exc.SQLAlchemyError as err:
        # The events are committed; only the checkpoint lags, which `audit verify` reports, and the
        # next event's commit moves it on. Say so, without the event's content.
        log.error("Could not checkpoint the audit chain at event %d (%s).", head[0], type(err).__name__)


def _reaches(checkpoint: keystore.Checkpoint) -> bool:
    """Say whether the checkpointed event is still in the log with the hash the key store saw."""
    # A connection of its own: the session that just committed may not run SQL in its after_commit hook.
    with db.engine.connect() as connection:
        found = connection.execute(
            sa.select(EVENTS.c.hash).where(EVENTS.c.id == checkpoint.head_id)).scalar_one_or_none()
    return found is not None and hmac.compare_digest(found, checkpoint.head_hash)


@sa.event.listens_for(Session, "after_rollback")
def _head_released(session: Session) -> None:
    """Forget the chain's head: the transaction that held it, and any event it added, are gone."""
    session.info.pop(HEAD_LOCKED, None)
    session.info.pop(NEW_HEAD, None)


def event_hash(event: AuditEvent, key: bytes) -> str:
    """Return the HMAC-SHA256, under the chain's key, of an event's content and the hash before it."""
    payload = {
        "at": _timestamp(event.at),
        "actor": event.actor,
        "case_id": event.case_id,
        "action": event.action,
        "details": event.details,
        "prev": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


@dataclass
class ChainReport:
    """What verifying the chain found: how far it is intact, and the first thing wrong, if any."""

    checked: int
    head: str
    broken_id: int | None = None
    reason: str | None = None
    # "changed" (an event or a link between them), "missing_tail", "rewritten", "no_checkpoint".
    problem: str | None = None
    last_id: int | None = None
    # Events committed after the last checkpoint (normally none; some if a checkpoint write failed).
    after_checkpoint: int = 0

    @property
    def intact(self) -> bool:
        """Say whether every event matched its hash and its predecessor, and the checkpoint agrees."""
        return self.problem is None


def verify_chain(events: Iterable[AuditEvent], key: bytes | None = None,
                 checkpoint: keystore.Checkpoint | None = None, check_tail: bool = False) -> ChainReport:
    """Walk events in id order, report the first one whose hash or link is wrong, then check the tail.

    With `check_tail`, the chain must reach the checkpoint kept in the key store, and the event
    there must still have the hash the key store saw.
    """
    key = keyring().chain_key if key is None else key
    previous = GENESIS
    checked = 0
    last_id = None
    at_checkpoint = None
    beyond = 0
    for event in events:
        if event.prev_hash != previous:
            return ChainReport(checked, previous, event.id, "does not follow the event before it "
                               "(an event before it was deleted or changed)", "changed", last_id)
        if not hmac.compare_digest(event_hash(event, key), event.hash):
            return ChainReport(checked, previous, event.id, "its content was changed", "changed", last_id)
        if checkpoint is not None and event.id == checkpoint.head_id:
            at_checkpoint = event.hash
        elif checkpoint is not None and event.id > checkpoint.head_id:
            beyond += 1
        previous, last_id = event.hash, event.id
        checked += 1
    report = ChainReport(checked, previous, last_id=last_id)
    if not check_tail:
        return report
    if checkpoint is None:
        if checked:
            report.problem = "no_checkpoint"
            report.reason = ("the key store holds no checkpoint of the chain, though events exist: it was "
                             "lost, or this is not the key store these events were checkpointed in")
        return report
    if last_id is None or last_id < checkpoint.head_id:
        report.problem = "missing_tail"
        report.broken_id = checkpoint.head_id
        report.reason = (f"the log ends at event {last_id or 0}, but the key store saw it reach event "
                         f"{checkpoint.head_id} on {checkpoint.at:%Y-%m-%d %H:%M} UTC: events were deleted "
                         "from its end")
    elif at_checkpoint != checkpoint.head_hash:
        report.problem = "rewritten"
        report.broken_id = checkpoint.head_id
        report.reason = ("the event the key store checkpointed no longer has the hash it saw: the chain "
                         "up to it was rewritten")
    report.after_checkpoint = beyond
    return report


def stream_events(batch: int = 1000) -> Iterable[AuditEvent]:
    """Yield every event in id order, a batch at a time."""
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        db.session.expunge_all()


def _timestamp(value: dt.datetime) -> str:
    """Format a time identically on every backend."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
