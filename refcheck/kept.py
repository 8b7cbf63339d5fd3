"""Figures read from many rows, kept per worker while nothing has been recorded and for a short time."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import AuditEvent

T = TypeVar("T")
# Each kind of figure keeps at most this many versions (periods, filters) at once.
KEEP = 16
# A kept set of cases is brought up to date case by case after at most this many changed cases.
PATCH_LIMIT = 200
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


def remember_cases(kind: str, key: Hashable, compute: Callable[[Collection[int] | None], frozenset[int]],
                   now: dt.datetime, seconds: float) -> frozenset[int]:
    """Return `compute(None)`, a set of case ids, kept and brought up to date only where cases changed.

    Each change to a case records an event naming it, in the transaction that makes the change, and
    events commit in the order of their ids (audit.record holds the chain's head until commit). So
    once events were recorded, only the cases they name can have come into or gone out of the set:
    `compute(those ids)` decides for them alone, and a busy day's changes cost what the changed
    cases cost, not what every running case costs. The whole set is computed again after
    `seconds`, or when more than PATCH_LIMIT cases changed since.
    """
    newest = db.session.execute(
        sa.select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none() or 0
    with _LOCK:
        store: dict[Any, tuple[dt.datetime, int, frozenset[int]]] = current_app.extensions.setdefault(
            "refcheck.kept", {}).setdefault(kind, {})
        found = store.get(key)
    if found is not None and (now - found[0]).total_seconds() < seconds and found[1] <= newest:
        at, seen, ids = found
        if seen == newest:
            return ids
        changed = {case_id for case_id in db.session.execute(
            sa.select(AuditEvent.case_id).where(AuditEvent.id > seen, AuditEvent.id <= newest,
                                                AuditEvent.case_id.is_not(None))
            .distinct().limit(PATCH_LIMIT + 1)).scalars() if case_id is not None}
        if len(changed) <= PATCH_LIMIT:
            ids = (ids - changed) | (compute(changed) if changed else frozenset())
            with _LOCK:
                # The time of the whole computation stays: it still bounds how long the set is kept.
                store[key] = (at, newest, ids)
            return ids
    ids = compute(None)
    with _LOCK:
        if key not in store and len(store) >= KEEP:
            store.pop(next(iter(store)), None)
        store[key] = (now, newest, ids)
    return ids
