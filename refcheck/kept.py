"""Figures read from many rows, kept per worker while nothing has been recorded and for a short time."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import AuditEvent

T = TypeVar("T")
# Each kind of figure keeps at most this many versions (periods, filters) at once.
KEEP = 16
# Threaded workers share the store; the lock guards its reads and changes, never a computation.
_LOCK = threading.Lock()


def audit_head() -> str | None:
    """Return the hash at the head of the audit chain, which names the state of the data.

    Every change to a case writes an audit event in its own transaction, so figures computed at one
    head hold until the next event.
    """
    return db.session.execute(
        sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()


def remember(kind: str, key: Hashable, compute: Callable[[], T], now: dt.datetime, seconds: float,
             head: str | None = None) -> T:
    """Return `compute()` for `key`, computed again once the audit log moves or `seconds` pass."""
    head = audit_head() if head is None else head
    full_key = (key, head)
    with _LOCK:
        store: dict[Any, tuple[dt.datetime, Any]] = current_app.extensions.setdefault(
            "refcheck.kept", {}).setdefault(kind, {})
        found = store.get(full_key)
    if found is not None and (now - found[0]).total_seconds() < seconds:
        return found[1]
    # Computed outside the lock: two threads may both compute, but neither waits on the other's queries.
    value = compute()
    with _LOCK:
        # Keep only what was computed at the current head and is still fresh, and only a few of them.
        stale = [k for k, (at, _) in store.items() if k[1] != head or (now - at).total_seconds() >= seconds]
        for old in stale:
            store.pop(old, None)
        if len(store) >= KEEP:
            store.pop(next(iter(store)), None)
        store[full_key] = (now, value)
    return value
