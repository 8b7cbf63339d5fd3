"""Figures read from many rows, kept per worker while nothing has been recorded and for a short time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import AuditEvent

T = TypeVar("T")
# Each kind of figure keeps at most this many versions (periods, filters) at once.
KEEP = 16


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
    store: dict[Any, tuple[dt.datetime, Any]] = current_app.extensions.setdefault(
        "refcheck.kept", {}).setdefault(kind, {})
    full_key = (key, head)
    if full_key in store and (now - store[full_key][0]).total_seconds() < seconds:
        return store[full_key][1]
    value = compute()
    # Keep only what was computed at the current head and is still fresh, and only a few of them.
    for old in [k for k, (at, _) in store.items() if k[1] != head or (now - at).total_seconds() >= seconds]:
        store.pop(old, None)
    if len(store) >= KEEP:
        store.pop(next(iter(store)), None)
    store[full_key] = (now, value)
    return value
