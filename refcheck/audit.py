"""Append-only, hash-chained audit log written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditEvent, utcnow

GENESIS = "0" * 64
# Set in a session's info once its transaction holds the chain's head, until it ends.
HEAD_LOCKED = "refcheck.audit_head_locked"


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
        session.execute(sa.update(AuditEvent.__table__).where(sa.false()).values(action=AuditEvent.action))
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
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _head_released(session: Session) -> None:
    """Forget that the chain's head was held: the transaction that held it has ended."""
    session.info.pop(HEAD_LOCKED, None)


def event_hash(event: AuditEvent) -> str:
    """Return the SHA-256 of an event's content and the hash before it."""
    payload = {
        "at": _timestamp(event.at),
        "actor": event.actor,
        "case_id": event.case_id,
        "action": event.action,
        "details": event.details,
        "prev": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ChainReport:
    """What verifying the chain found."""

    checked: int
    head: str
    broken_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        """Say whether every event matched its hash and its predecessor."""
        return self.broken_id is None


def verify_chain(events: Iterable[AuditEvent]) -> ChainReport:
    """Walk events in id order and report the first one whose hash or link is wrong."""
    previous = GENESIS
    checked = 0
    for event in events:
        if event.prev_hash != previous:
            return ChainReport(checked, previous, event.id, "does not follow the event before it "
                               "(an event before it was deleted or changed)")
        if event_hash(event) != event.hash:
            return ChainReport(checked, previous, event.id, "its content was changed")
        previous = event.hash
        checked += 1
    return ChainReport(checked, previous)


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
